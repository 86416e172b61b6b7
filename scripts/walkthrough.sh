#!/usr/bin/env bash
# The README's walk-through: a new family through the early help cycle (consent, episode,
# assessment, plan, quality assurance, Team Around the Family, first meeting, a review) against a
# running server with the demo data (`make run` in another terminal), signed in as the demo users,
# with today's dates. Each step prints what it did; any 4xx or 5xx stops it with exit 1.
# Run from anywhere: scripts/walkthrough.sh. Needs bash, curl and python3 (no jq).
# FAMILYHUB_API (default http://127.0.0.1:8000) points it at another server; it mints tokens with
# the same FAMILYHUB_* settings (database) as that server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
API=${FAMILYHUB_API:-http://127.0.0.1:8000}/api/v1
FH=${FAMILYHUB_CLI:-.venv/bin/familyhub}
BODY=$(mktemp)
trap 'rm -f "$BODY"' EXIT

# call TOKEN METHOD PATH [JSON] [VERSION]: sends If-Match: "VERSION" when given, keeps the
# answer's body in $BODY, and stops the script on any 4xx or 5xx.
call() {
    local args=(-sS -X "$2" -o "$BODY" -w '%{http_code}' -H "Authorization: Bearer $1")
    if [ -n "${4:-}" ]; then args+=(-H 'content-type: application/json' -d "$4"); fi
    if [ -n "${5:-}" ]; then args+=(-H "If-Match: \"$5\""); fi
    local status
    status=$(curl "${args[@]}" "$API$3")
    if [ "$status" -ge 400 ]; then echo "$2 $3 answered $status: $(cat "$BODY")" >&2; exit 1; fi
}
# get EXPR: a Python expression over the last answer's JSON, `d` (if it fails, so does the script).
get() {
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$BODY" "$1" \
        || { echo "could not read $1 from: $(cat "$BODY")" >&2; kill "$$"; }
}
# clocks EPISODE: the episode's running clocks (deadlines not yet met), e.g. "review due 2025-04-14 on_time".
clocks() { get '"; ".join(c["kind"] + " due " + c["due_on"] + " " + c["status"] for c in '"$1"'["deadlines"] if not c["status"].startswith("met"))'; }
step() { printf '%-26s %s\n' "$1" "$2"; }

# "Today" is the council's (FAMILYHUB_TIMEZONE), as the server counts it.
TODAY=$(TZ=${FAMILYHUB_TIMEZONE:-Europe/London} date +%F)
IN_SIX_WEEKS=$(python3 -c 'import datetime as t, sys; print(t.date.fromisoformat(sys.argv[1]) + t.timedelta(weeks=6))' "$TODAY")
LEAD=$($FH token --user lena.lead@familyhub.example)   # the lead professional
QA=$($FH token --user quinn.qa@familyhub.example)      # the Early Help and Support Service's QA officer

call "$LEAD" GET /me; LENA=$(get 'd["id"]'); HUB=$(get 'd["hubs"][0]["id"]')
step "signed in as" "$(get 'd["name"]') (lead professional); today is $TODAY"
call "$LEAD" GET "/practitioners?name=Schofield"; SAM=$(get 'd["items"][0]["id"]')

# 1. Is the family already known? Then register the household.
call "$LEAD" POST /families/duplicate-check '{"postcode": "FY1 3HT",
  "members": [{"given_name": "Ava", "family_name": "Walker", "date_of_birth": "2017-06-01"}]}'
step "duplicate check" "$(get 'len(d)') possible match(es)"
call "$LEAD" POST /families '{"hub_id": "'"$HUB"'", "address": {"line1": "12 Cedar Road", "town": "Blackpool", "postcode": "fy1 3ht"},
  "members": [
    {"kind": "new_person", "role": "parent_carer", "person": {"given_name": "Sarah", "family_name": "Walker", "date_of_birth": "1990-02-14"}},
    {"kind": "new_person", "role": "child", "person": {"given_name": "Ava", "family_name": "Walker", "date_of_birth": "2017-06-01"}}]}'
FAMILY=$(get 'd["id"]')
SARAH=$(get '[m["person_id"] for m in d["members"] if m["role"] == "parent_carer"][0]')
AVA=$(get '[m["person_id"] for m in d["members"] if m["role"] == "child"][0]')
step "registered family" "$(get 'd["reference"]') ($FAMILY)"

# 2. Consent: to take part in early help, and to share information with the school.
call "$LEAD" POST "/families/$FAMILY/consents" '{"purpose": "early_help", "given_by_person_id": "'"$SARAH"'",
  "on_behalf_of_person_ids": ["'"$AVA"'"], "method": "written", "given_on": "'"$TODAY"'"}'
call "$LEAD" POST "/families/$FAMILY/consents" '{"purpose": "information_sharing", "sharing_scope": "named_agencies",
  "agency_codes": ["SCHOOL_ST_ANNES"], "given_by_person_id": "'"$SARAH"'", "method": "written", "given_on": "'"$TODAY"'"}'
step "consent recorded" "to take part, and to share with SCHOOL_ST_ANNES, given $TODAY"

# 3. Open the episode. Every later step that changes it sends its version in If-Match.
call "$LEAD" POST /episodes '{"family_id": "'"$FAMILY"'", "source": "school", "level_of_need": "2",
  "lead_practitioner_id": "'"$LENA"'", "child_person_ids": ["'"$AVA"'"]}'
EPISODE=$(get 'd["id"]'); VERSION=$(get 'd["version"]')
step "episode opened" "$EPISODE, stage $(get 'd["stage"]')"

# 4. Start the assessment (its 20-working-day clock starts), write it and complete it.
call "$LEAD" POST "/episodes/$EPISODE/assessment-start" "" "$VERSION"
VERSION=$(get 'd["episode"]["version"]')
ASSESSMENT=$(get 'd["assessment"]["id"]'); A_VERSION=$(get 'd["assessment"]["version"]')
step "assessment started" "stage $(get 'd["episode"]["stage"]'); $(clocks 'd["episode"]')"
call "$LEAD" PATCH "/episodes/$EPISODE/assessments/$ASSESSMENT" '{"strengths": ["Warm relationship with mum"],
  "needs": [{"headline": "EDU", "description": "Attendance 78% this term", "person_ids": ["'"$AVA"'"]}],
  "child_voice": "I hate mornings", "parents_view": "Mornings are a battle", "analysis": "Routines are the root."}' "$A_VERSION"
call "$LEAD" POST "/episodes/$EPISODE/assessments/$ASSESSMENT/completion" "" "$(get 'd["version"]')"
NEED=$(get 'd["needs"][0]["id"]')
step "assessment completed" "$(get 'len(d["needs"])') need(s), headline $(get 'd["needs"][0]["headline"]')"

# 5. Draft the plan and submit it, with the assessment, to quality assurance.
call "$LEAD" POST "/episodes/$EPISODE/plans" '{"outcomes": [{"description": "Ava attends every day",
  "need_ids": ["'"$NEED"'"], "measure": "Attendance > 95%", "baseline_score": 3}],
  "actions": [{"description": "Morning routine chart", "owner_person_id": "'"$SARAH"'", "due_on": "'"$IN_SIX_WEEKS"'"}]}'
OUTCOME=$(get 'd["outcomes"][0]["id"]')
call "$LEAD" POST "/episodes/$EPISODE/plan-submission" "" "$VERSION"
VERSION=$(get 'd["episode"]["version"]')
step "plan submitted" "stage $(get 'd["episode"]["stage"]'); $(clocks 'd["episode"]')"

# 6. The QA officer approves it (or returns it with comments).
call "$QA" POST "/episodes/$EPISODE/qa-decisions" '{"outcome": "approved"}' "$VERSION"
VERSION=$(get 'd["episode"]["version"]')
step "QA approved" "plan $(get 'd["plan"]["status"]'); $(clocks 'd["episode"]')"

# 7. The Team Around the Family: the school's attendance officer joins (consent to share is in force).
call "$LEAD" POST "/episodes/$EPISODE/taf-members" '{"kind": "practitioner", "practitioner_id": "'"$SAM"'", "role": "Attendance officer"}'
MEMBER=$(get 'd["id"]')
step "TAF member added" "Sam Schofield, $(get 'd["role"]') for $(get 'd["agency_code"]')"

# 8. The first TAF meeting agrees the plan and makes the episode active.
call "$LEAD" POST "/episodes/$EPISODE/meetings" '{"held_on": "'"$TODAY"'", "attendee_member_ids": ["'"$MEMBER"'"],
  "family_present": true, "child_voice": "shared", "progress": [{"outcome_id": "'"$OUTCOME"'", "score": 4}], "decision": "continue"}' "$VERSION"
VERSION=$(get 'd["episode"]["version"]')
step "first TAF meeting" "stage $(get 'd["episode"]["stage"]'); $(clocks 'd["episode"]')"

# 9. A review: every later meeting is one (4-6 weeks later in practice; the same day here).
call "$LEAD" POST "/episodes/$EPISODE/meetings" '{"held_on": "'"$TODAY"'", "attendee_member_ids": ["'"$MEMBER"'"],
  "family_present": true, "child_voice": "present", "progress": [{"outcome_id": "'"$OUTCOME"'", "score": 6}],
  "decision": "continue", "notes": "Attendance up; mornings calmer."}' "$VERSION"
step "review held" "$(get 'd["episode"]["meetings_held"]') meetings; $(clocks 'd["episode"]')"
step "done" "the whole case: GET $API/episodes/$EPISODE/case"
