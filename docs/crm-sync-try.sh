#!/usr/bin/env bash
# The acceptance walk-through of docs/crm-sync.md, against a running `npm start` ($API, keys in $KEYS,
# the Salesforce emulator at $SF with the client credentials of .data/dev-secrets.json).
set -euo pipefail
API=${API:-http://localhost:3000}; KEYS=${KEYS:-.data/dev-api-keys.json}; SECRETS=${SECRETS:-.data/dev-secrets.json}; SF=${SF:-http://127.0.0.1:4030}
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
