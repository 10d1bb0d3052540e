#!/usr/bin/env bash
# The acceptance walk-through of the README's "CRM sync with Salesforce", against a running `npm start` ($API, keys in $KEYS,
# the Salesforce emulator at $SF with the client credentials of .data/dev-secrets.json).
set -euo pipefail
API=${API:-http://localhost:3000}; KEYS=${KEYS:-./.data/dev-api-keys.json}; SECRETS=${SECRETS:-./.data/dev-secrets.json}; SF=${SF:-http://127.0.0.1:4030}
ADMIN=$(node -p "require('$KEYS').admin"); OPERATOR=$(node -p "require('$KEYS').operator")
CID=$(node -p "require('$SECRETS').SALESFORCE_CLIENT_ID"); CSECRET=$(node -p "require('$SECRETS').SALESFORCE_CLIENT_SECRET")
j() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const v=JSON.parse(s);console.log($1)})"; }
api() { curl -s -X "$1" "$API$2" -H "authorization: Bearer $3" ${4:+-H 'content-type: application/json' -d "$4"}; }

echo '--- 0. the dev connector npm start created, and a Salesforce token from the emulator (standard OAuth 2.0 client credentials)'
CONN=$(api GET /v1/connectors "$ADMIN" | j "v.items.find(c => c.name === 'Dev Salesforce (emulator)').id"); echo "connector $CONN"
TOKEN=$(curl -s -X POST "$SF/services/oauth2/token" -d grant_type=client_credentials -d "client_id=$CID" -d "client_secret=$CSECRET" | j v.access_token)
sf() { curl -s -X "$1" "$SF/services/data/v62.0$2" -H "authorization: Bearer $TOKEN" ${3:+-H 'content-type: application/json' -d "$3"}; }

echo '--- 1. an Account (Type Customer) and three Contacts through the standard REST API: one inactive, two sharing an email'
ACC=$(sf POST /sobjects/Account '{"Name":"Acme Try","Type":"Customer","Website":"https://acme-try.example"}' | j v.id)
ADA=$(sf POST /sobjects/Contact "{\"AccountId\":\"$ACC\",\"FirstName\":\"Ada\",\"LastName\":\"Lovelace\",\"Email\":\"ada@acme-try.example\"}" | j v.id)
INA=$(sf POST /sobjects/Contact "{\"AccountId\":\"$ACC\",\"FirstName\":\"Ina\",\"LastName\":\"Active\",\"Email\":\"ina@acme-try.example\",\"Active__c\":false}" | j v.id)
DUP1=$(sf POST /sobjects/Contact "{\"AccountId\":\"$ACC\",\"LastName\":\"One\",\"Email\":\"shared@acme-try.example\"}" | j v.id)
DUP2=$(sf POST /sobjects/Contact "{\"AccountId\":\"$ACC\",\"LastName\":\"Two\",\"Email\":\"shared@acme-try.example\"}" | j v.id)

# The change feed counts whole minutes (Salesforce ignores seconds): a change shows from the next minute on.
cycle() { sleep 65; api POST "/v1/connectors/$CONN/sync-now" "$ADMIN" > /dev/null; sleep 5; }
why() { api GET "/v1/connectors/$CONN/records/$1" "$OPERATOR" | j "[v.status, v.code, v.masterRecordId ?? ''].join(' ')"; }
echo '--- 2. within a cycle: the account and Ada arrive; the others say why'
cycle
for id in $ACC $ADA $INA $DUP1 $DUP2; do echo "$id: $(why $id)"; done

echo '--- 3. the account leaves the filter (Type Partner): it stops updating, FILTERED_OUT'
sf PATCH "/sobjects/Account/$ACC" '{"Type":"Partner"}'
cycle
echo "$ACC: $(why $ACC)"; echo "$ADA: $(why $ADA)"

echo '--- 4. back to Customer; two contacts merged in the CRM: the loser says CRM_MERGED and names the survivor'
sf PATCH "/sobjects/Account/$ACC" '{"Type":"Customer"}'
BEA=$(sf POST /sobjects/Contact "{\"AccountId\":\"$ACC\",\"FirstName\":\"Bea\",\"LastName\":\"Second\",\"Email\":\"bea@acme-try.example\"}" | j v.id)
cycle
curl -s -X POST "$SF/__emulator/merge" -H 'content-type: application/json' -d "{\"object\":\"Contact\",\"winnerId\":\"$ADA\",\"loserIds\":[\"$BEA\"]}" > /dev/null
cycle
echo "$BEA: $(why $BEA)"

echo '--- 5. health: calls used in 24 h against the allowance, records by code, cursors'
api GET "/v1/connectors/$CONN/health" "$OPERATOR" | j 'JSON.stringify({apiCalls: v.apiCalls, recordsByCode: v.recordsByCode.map(c => [c.code, c.count]), lastSuccessfulCycle: v.lastSuccessfulCycle})'

# Two-way (README "CRM sync with Salesforce", "Outbound, dry run, replay"). A push needs no change-feed minute: sync-now and a few seconds.
push() { api POST "/v1/connectors/$CONN/sync-now" "$ADMIN" > /dev/null; sleep 8; }
REP=$(node -p "require('$KEYS').rep")
soql() { curl -s -G "$SF/services/data/v62.0/query" -H "authorization: Bearer $TOKEN" --data-urlencode "q=$1"; }

echo '--- 6. outbound on; a contact owned by a rep, under the synced company, unsubscribes: within one cycle the Contact and a Task are in Salesforce'
api PATCH "/v1/connectors/$CONN" "$ADMIN" '{"settings":{"outbound":true}}' > /dev/null
COMPANY=$(api GET "/v1/connectors/$CONN/records/$ACC" "$OPERATOR" | j v.local.id)
OWNED=$(api POST /v1/contacts "$REP" "{\"email\":\"owned-$RANDOM@acme-try.example\",\"firstName\":\"Grace\",\"lastName\":\"Hopper\",\"companyId\":\"$COMPANY\"}" | j v.id)
api POST "/v1/contacts/$OWNED/unsubscribe" "$REP" > /dev/null
push
PUSHED=$(soql "SELECT Id, LastName, AccountId, HasOptedOutOfEmail FROM Contact WHERE CRM_Workflows_Id__c = '$OWNED'" | j 'v.records[0]?.Id ?? ""')
echo "CRM Contact for $OWNED: ${PUSHED:-MISSING}"
[ -n "$PUSHED" ] && soql "SELECT Subject, Status FROM Task WHERE WhoId = '$PUSHED'" | j 'v.records.map(r => r.Subject + " / " + r.Status).join("\n")'

echo '--- 7. an unowned contact (created by an admin) with no CRM record of its email: listed UNASSIGNED_NO_CRM_MATCH, not pushed'
UNOWNED=$(api POST /v1/contacts "$ADMIN" "{\"email\":\"nobody-$RANDOM@acme-try.example\",\"lastName\":\"Nobody\",\"companyId\":\"$COMPANY\"}" | j v.id)
push
api GET "/v1/connectors/$CONN/outbound?code=UNASSIGNED_NO_CRM_MATCH" "$OPERATOR" | j "v.items.filter(e => e.localId === '$UNOWNED').map(e => e.localId + ': ' + e.state + ' ' + e.code).join('\n') || 'NOT LISTED'"

echo '--- 8. dry run: the filter keeps Prospect only — what would stop syncing (by code, with samples); nothing is written'
DRY='{"settings":{"filter":{"object":"Account","field":"Type","values":["Prospect"]}}}'
api POST "/v1/connectors/$CONN/dry-run" "$ADMIN" "$DRY" > /tmp/crm-sync-dry-run.json
j 'JSON.stringify({ evaluated: v.evaluated, stopSyncing: v.changes.stopSyncing.count, byCode: v.changes.stopSyncing.byCode })' < /tmp/crm-sync-dry-run.json
echo '    applying it: each record the report named now has the status and code it said'
api PATCH "/v1/connectors/$CONN" "$ADMIN" "$DRY" > /dev/null
push
MISMATCH=0
while IFS='|' read -r id want; do
  got=$(why "$id"); got=${got% }; want=${want% }
  if [ "$got" = "$want" ]; then echo "$id: $got (as reported)"; else echo "$id: $got, reported $want"; MISMATCH=1; fi
done < <(j "v.changes.stopSyncing.samples.map(s => s.externalId + '|' + s.to.status + ' ' + (s.to.code ?? '')).join('\\n')" < /tmp/crm-sync-dry-run.json)
[ "$MISMATCH" = 0 ] && echo 'applying matched the dry run' || echo 'MISMATCH'
api PATCH "/v1/connectors/$CONN" "$ADMIN" '{"settings":{"filter":{"object":"Account","field":"Type","values":["Customer","Prospect"]}}}' > /dev/null

echo '--- 9. the history of the pushed contact: snapshots (field names only), decisions and pushes'
[ -n "$PUSHED" ] && api GET "/v1/connectors/$CONN/records/$PUSHED/history" "$OPERATOR" | j 'v.entries.map(e => e.at + " " + e.kind + " " + (e.kind === "push" ? e.outcome + " " + e.fields.join(",") : e.status + " " + (e.code ?? ""))).join("\n")'
