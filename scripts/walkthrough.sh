#!/usr/bin/env bash
# Runs a new family through the whole early help cycle against a running server (make run),
# signed in as the demo users. Each step prints what it changed.

set -euo pipefail
API=${FAMILYHUB_API:-http://127.0.0.1:8000}/api/v1
FH=${FAMILYHUB_CLI:-.venv/bin/familyhub}

LEAD_TOKEN=$($FH token --user lena.lead@familyhub.example)
QA_TOKEN=$($FH token --user quinn.qa@familyhub.example)
LINK_TOKEN=$($FH token --user lee.link@familyhub.example)
MANAGER_TOKEN=$($FH token --user mo.manager@familyhub.example)
AUTH="Authorization: Bearer $LEAD_TOKEN"
j() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
HUB=$(curl -s -H "$AUTH" $API/hubs | j 'd[1]["id"]')
LEAD=$(curl -s -H "$AUTH" "$API/practitioners?name=Lena" | j 'd["items"][0]["id"]')
SCHOOL_WORKER=$(curl -s -H "$AUTH" "$API/practitioners?name=Schofield" | j 'd["items"][0]["id"]')
FAM=$(curl -s -X POST $API/families -H "$AUTH" -H 'content-type: application/json' -H "Idempotency-Key: walk-$(date +%s)" -d '{
  "address": {"line1": "12 Cedar Road", "town": "Blackpool", "postcode": "fy1 3ht"}, "hub_id": "'$HUB'",
  "members": [
    {"role": "parent_carer", "person": {"given_name": "Sarah", "family_name": "Walker", "date_of_birth": "1990-02-14"}},
    {"role": "child", "person": {"given_name": "Ava", "family_name": "Walker", "date_of_birth": "2017-06-01"}}]}')
FAMILY=$(echo "$FAM" | j 'd["id"]')
SARAH=$(echo "$FAM" | j '[m["person_id"] for m in d["members"] if m["role"]=="parent_carer"][0]')
AVA=$(echo "$FAM" | j '[m["person_id"] for m in d["members"] if m["role"]=="child"][0]')
TODAY=$(date +%F)
curl -s -o /dev/null -w "consent %{http_code}\n" -X POST $API/families/$FAMILY/consents -H "$AUTH" -H 'content-type: application/json' -d '{
  "purpose": "early_help", "given_by_person_id": "'$SARAH'", "on_behalf_of_person_ids": ["'$AVA'"], "method": "written", "given_on": "'$TODAY'"}'
curl -s -o /dev/null -w "share %{http_code}\n" -X POST $API/families/$FAMILY/consents -H "$AUTH" -H 'content-type: application/json' -d '{
  "purpose": "information_sharing", "sharing_scope": "named_agencies", "agency_codes": ["SCHOOL_ST_ANNES"], "given_by_person_id": "'$SARAH'", "method": "written", "given_on": "'$TODAY'"}'
EP_RESP=$(curl -s -i -X POST $API/episodes -H "$AUTH" -H 'content-type: application/json' -d '{
  "family_id": "'$FAMILY'", "source": "school", "level_of_need": "2", "lead_practitioner_id": "'$LEAD'", "child_person_ids": ["'$AVA'"]}')
ETAG=$(echo "$EP_RESP" | grep -i '^etag:' | awk '{print $2}' | tr -d '\r')
EP=$(echo "$EP_RESP" | tail -1 | j 'd["id"]')
echo "episode $EP etag $ETAG"
R=$(curl -s -i -X POST $API/episodes/$EP/assessment-start -H "$AUTH" -H "If-Match: $ETAG")
ETAG=$(echo "$R" | grep -i '^etag:' | awk '{print $2}' | tr -d '\r'); B=$(echo "$R" | tail -1)
ASSESSMENT=$(echo "$B" | j 'd["assessment"]["id"]'); echo "stage $(echo "$B" | j 'd["episode"]["stage"]') due $(echo "$B" | j '[x["due_on"] for x in d["episode"]["deadlines"]]')"
R=$(curl -s -i -X PATCH $API/episodes/$EP/assessments/$ASSESSMENT -H "$AUTH" -H 'If-Match: "1"' -H 'content-type: application/json' -d '{
  "strengths": ["Warm relationship with mum"], "needs": [{"headline": "EDU", "description": "Attendance 78% this term", "person_ids": ["'$AVA'"]}],
  "child_voice": "I hate mornings", "parents_view": "Mornings are a battle", "analysis": "Routines are the root."}')
AETAG=$(echo "$R" | grep -i '^etag:' | awk '{print $2}' | tr -d '\r')
NEED=$(curl -s -X POST $API/episodes/$EP/assessments/$ASSESSMENT/completion -H "$AUTH" -H "If-Match: $AETAG" | j 'd["needs"][0]["id"]')
PLAN=$(curl -s -X POST $API/episodes/$EP/plans -H "$AUTH" -H 'content-type: application/json' -d '{
  "outcomes": [{"description": "Ava attends every day", "need_ids": ["'$NEED'"], "measure": "Attendance > 95%", "baseline_score": 3}],
  "actions": [{"description": "Morning routine chart", "owner_person_id": "'$SARAH'", "due_on": "2030-01-31"}]}')
OUTCOME=$(echo "$PLAN" | j 'd["outcomes"][0]["id"]')
R=$(curl -s -i -X POST $API/episodes/$EP/plan-submission -H "$AUTH" -H "If-Match: $ETAG"); ETAG=$(echo "$R" | grep -i '^etag:' | awk '{print $2}' | tr -d '\r'); echo "submitted: $(echo "$R" | tail -1 | j 'd["episode"]["stage"]')"
R=$(curl -s -i -X POST $API/episodes/$EP/qa-decisions -H "Authorization: Bearer $QA_TOKEN" -H "If-Match: $ETAG" -H 'content-type: application/json' -d '{"outcome": "approved"}')
ETAG=$(echo "$R" | grep -i '^etag:' | awk '{print $2}' | tr -d '\r'); echo "qa: $(echo "$R" | tail -1 | j 'd["episode"]["stage"]')"
MEMBER=$(curl -s -X POST $API/episodes/$EP/taf-members -H "$AUTH" -H 'content-type: application/json' -d '{"kind": "practitioner", "practitioner_id": "'$SCHOOL_WORKER'", "role": "Attendance officer"}' | j 'd["id"]')
R=$(curl -s -i -X POST $API/episodes/$EP/meetings -H "$AUTH" -H "If-Match: $ETAG" -H 'content-type: application/json' -d '{
  "held_on": "'$TODAY'", "attendee_member_ids": ["'$MEMBER'"], "family_present": true, "child_voice": "shared",
  "progress": [{"outcome_id": "'$OUTCOME'", "score": 4}], "decision": "continue"}')
ETAG=$(echo "$R" | grep -i '^etag:' | awk '{print $2}' | tr -d '\r'); echo "meeting: $(echo "$R" | tail -1 | j 'd["episode"]["stage"]')"
R=$(curl -s -X POST $API/episodes/$EP/closure -H "$AUTH" -H "If-Match: $ETAG" -H 'content-type: application/json' -d '{
  "reason": "all_needs_met", "family_view": {"improved": "yes", "in_their_words": "Mornings are calm now"}}'); echo "closed: $(echo "$R" | j 'd["stage"]')"
curl -s "$API/timeliness/overdue?limit=3" -H "Authorization: Bearer $LINK_TOKEN" | j '[(i["family_reference"], i["kind"], i["status"], i["days_overdue"]) for i in d["items"]]'
curl -s "$API/families/$FAMILY/access-log?limit=3" -H "Authorization: Bearer $MANAGER_TOKEN" | j '[(i["actor_name"], i["action"], i["outcome"]) for i in d["items"]]'
$FH audit-verify
