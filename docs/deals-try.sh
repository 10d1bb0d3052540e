#!/usr/bin/env bash
# The acceptance walk-through of the README section "Deals", against a running `npm start` ($API, keys in $KEYS).
set -euo pipefail
API=${API:-http://localhost:3000}; KEYS=${KEYS:-.data/dev-api-keys.json}
ADMIN=$(node -p "require('$KEYS').admin"); REP=$(node -p "require('$KEYS').rep")
j() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const v=JSON.parse(s);console.log($1)})"; }
post() { curl -s -X POST "$API$1" -H "authorization: Bearer $2" -H 'content-type: application/json' -d "$3"; }

echo '--- 1. a pipeline without a Lost stage: 400 naming PIPELINE_WON_LOST_REQUIRED'
post /v1/pipelines "$ADMIN" '{"name":"Sales","stages":[{"name":"Lead","probability":10,"kind":"open"},{"name":"Cold","probability":0,"kind":"open"},{"name":"Proposal","probability":50,"kind":"open"},{"name":"Won","probability":100,"kind":"won"}]}' | j 'JSON.stringify(v.error.details)'
echo '--- fixed'
P=$(post /v1/pipelines "$ADMIN" '{"name":"Sales","stages":[{"name":"Lead","probability":10,"kind":"open"},{"name":"Cold","probability":0,"kind":"open"},{"name":"Proposal","probability":50,"kind":"open"},{"name":"Won","probability":100,"kind":"won"},{"name":"Lost","probability":0,"kind":"lost"}]}')
PID=$(echo "$P" | j v.id); stage() { echo "$P" | j "v.stages.find(s=>s.name==='$1').id"; }
LEAD=$(stage Lead); COLD=$(stage Cold); PROP=$(stage Proposal); WON=$(stage Won)
MID=$(date -u +%Y-%m-15); NEXTQ=$(date -u -d "$(date -u +%Y-%m-01) +4 months" +%Y-%m-10)

echo '--- 2. three deals: 0 % stage, next quarter, this month'
D1=$(post /v1/deals "$REP" "{\"name\":\"Zero\",\"pipelineId\":\"$PID\",\"stageId\":\"$COLD\",\"amount\":\"500.00\",\"currency\":\"EUR\",\"expectedCloseDate\":\"$MID\"}" | j v.id)
D2=$(post /v1/deals "$REP" "{\"name\":\"Later\",\"pipelineId\":\"$PID\",\"stageId\":\"$PROP\",\"amount\":\"800.00\",\"currency\":\"EUR\",\"expectedCloseDate\":\"$NEXTQ\"}" | j v.id)
D3=$(post /v1/deals "$REP" "{\"name\":\"Now\",\"pipelineId\":\"$PID\",\"stageId\":\"$PROP\",\"amount\":\"1000.00\",\"currency\":\"EUR\",\"expectedCloseDate\":\"$MID\"}" | j v.id)
curl -s "$API/v1/forecast?pipelineId=$PID" -H "authorization: Bearer $REP" | j 'JSON.stringify({open: v.currencies[0].open, leftOut: v.leftOut.deals.map(d => [d.name, d.codes])})'
curl -s "$API/v1/deals/$D1/forecast" -H "authorization: Bearer $REP" | j 'JSON.stringify(v.rules.filter(r => !r.pass))'

echo '--- 3. a won deal with a "promote company" rule starts the promotion'
CO=$(post /v1/companies "$ADMIN" '{"name":"Acme","domains":["acme.example"]}' | j v.id)
post "/v1/pipelines/$PID/rules" "$ADMIN" '{"trigger":{"type":"won"},"action":{"type":"promote_company_to_psa"}}' | j 'v.id'
D4=$(post /v1/deals "$REP" "{\"name\":\"Acme deal\",\"pipelineId\":\"$PID\",\"stageId\":\"$PROP\",\"amount\":\"9000.00\",\"currency\":\"EUR\",\"expectedCloseDate\":\"$MID\",\"companyId\":\"$CO\"}" | j v.id)
curl -s -X PATCH "$API/v1/deals/$D4" -H "authorization: Bearer $REP" -H 'content-type: application/json' -H 'if-match: "1"' -d "{\"stageId\":\"$WON\"}" | j 'v.status'
sleep 3; curl -s "$API/v1/companies/$CO/promotion" -H "authorization: Bearer $ADMIN" | j 'JSON.stringify({status: v.status, workflowId: v.workflowId})'

echo '--- 4. a rule reversing a fresh manual move: RULE_CONFLICT'
post "/v1/pipelines/$PID/rules" "$ADMIN" "{\"trigger\":{\"type\":\"entered_stage\",\"stageId\":\"$PROP\"},\"action\":{\"type\":\"move_to_stage\",\"stageId\":\"$LEAD\"}}" | j 'v.id'
D5=$(post /v1/deals "$REP" "{\"name\":\"Moved\",\"pipelineId\":\"$PID\",\"stageId\":\"$LEAD\",\"amount\":\"100.00\",\"currency\":\"EUR\",\"expectedCloseDate\":\"$MID\"}" | j v.id)
curl -s -X PATCH "$API/v1/deals/$D5" -H "authorization: Bearer $REP" -H 'content-type: application/json' -H 'if-match: "1"' -d "{\"stageId\":\"$PROP\"}" | j 'v.version'
sleep 2; curl -s "$API/v1/deals/$D5/stage-history" -H "authorization: Bearer $REP" | j 'JSON.stringify(v.items.map(h => [h.event, h.toStageName, h.reasonCode, h.by]))'

echo '--- 5. a stale board: 409 DEAL_VERSION_STALE'
curl -s -X PATCH "$API/v1/deals/$D5" -H "authorization: Bearer $REP" -H 'content-type: application/json' -H 'if-match: "1"' -d "{\"stageId\":\"$COLD\"}" | j 'v.error.code + ": " + v.error.message'
