/**
 * The journey the API's request count is measured on: one lead professional's screens (and the
 * QA officer's, for the approval) from a new family to the first review, as a front end built on
 * the one-call-per-screen endpoints makes them:
 *
 *   home            GET /me, /labels, /me/worklist, /me/caseload
 *   new family      /levels-of-need (the form's pick list), POST /families/duplicate-check,
 *                   POST /families, two POST /consents
 *   open episode    POST /episodes (the lead is "me": no directory look-up)
 *   case            GET /episodes/{id}/case
 *   assess          /outcome-headlines (the needs' pick list), assessment-start, PATCH the
 *                   assessment, completion
 *   plan            POST /plans, plan-submission
 *   QA officer      GET /me, /me/worklist (the row names the family and the episode's version),
 *                   /case (the plan), POST qa-decisions
 *   lead again      /me/worklist (hold the first TAF), /case, /practitioners?name= (pick a TAF
 *                   member), POST /taf-members, POST /meetings (the first), /case, POST /meetings
 *                   (the review)
 *
 * Every write answers with what the screen shows next (the episode with its deadlines), so no
 * screen reads back what it has just written. The requests counted are every request any client
 * made between the journey's start and end (src/traffic.ts).
 */
import {
  etagFromVersion,
  expectStatus,
  expectVersioned,
  ifMatch,
  newIdempotencyKey,
  type ETag,
  type FamilyhubClient,
  type Schemas,
} from "./client.js";
import {
  check,
  describeDeadlines,
  done,
  expectDeadlines,
  expectStage,
  present,
} from "./checks.js";

/** Where the journey leaves the new family, for the rest of the cycle to carry on from. */
export interface JourneyEnd {
  me: Schemas["MeRead"];
  family: Schemas["FamilyRead"];
  sarah: Schemas["MemberRead"];
  ava: Schemas["MemberRead"];
  shareConsent: Schemas["ConsentRead"];
  episode: Schemas["EpisodeRead"];
  etag: ETag;
  assessment: Schemas["AssessmentRead"];
  plan: Schemas["PlanRead"];
  member: Schemas["PractitionerTafMemberRead"];
  labels: Schemas["LabelsRead"];
}

/** The label of `value` in the enum `schema`, as /labels gives it. */
export function labelOf(labels: Schemas["LabelsRead"], schema: string, value: string): string {
  const entry = labels.enums[schema]?.find((l) => l.value === value);
  return present(entry, `the label of ${schema}.${value}`).label;
}

export async function leadJourney(
  lead: FamilyhubClient,
  qa: FamilyhubClient,
  on: string,
  surname: string,
): Promise<JourneyEnd> {
  // --- home ------------------------------------------------------------------------------------
  const me = (await expectStatus("who am I (lead)", 200, lead.GET("/api/v1/me"))).data;
  check(me.roles.includes("practitioner"), `the lead should be a practitioner, has [${me.roles.join(", ")}]`);
  const north = present(me.hubs.find((h) => h.code === "NORTH"), "the lead's NORTH hub");
  const labels = (await expectStatus("labels", 200, lead.GET("/api/v1/labels"))).data;
  const home = await expectStatus("my worklist", 200, lead.GET("/api/v1/me/worklist"));
  const caseload = await expectStatus("my caseload", 200, lead.GET("/api/v1/me/caseload"));
  done(
    "home: me, labels, worklist, caseload",
    `${me.name} (${me.agency?.name ?? "no agency"}), hubs ${me.hubs.map((h) => h.code).join("+")};` +
      ` ${home.data.items.length} thing(s) due, ${caseload.data.items.length} case(s) led`,
  );

  // --- the new family ----------------------------------------------------------------------------
  const levels = await expectStatus("levels of need", 200, lead.GET("/api/v1/levels-of-need"));
  const level = present(levels.data.find((l) => l.code === "2"), "level of need 2");
  const sarahIn: Schemas["PersonIn"] = { given_name: "Sarah", family_name: surname, date_of_birth: "1990-02-14" };
  const avaIn: Schemas["PersonIn"] = { given_name: "Ava", family_name: surname, date_of_birth: "2017-06-01" };
  const duplicates = await expectStatus(
    "check for the family already being known",
    200,
    lead.POST("/api/v1/families/duplicate-check", { body: { postcode: "FY1 3HT", members: [sarahIn, avaIn] } }),
  );
  const registered = await expectVersioned(
    "register the family",
    201,
    lead.POST("/api/v1/families", {
      params: { header: { "Idempotency-Key": newIdempotencyKey("journey") } },
      body: {
        address: { line1: "12 Cedar Road", town: "Blackpool", postcode: "fy1 3ht" },
        hub_id: north.id,
        members: [
          { kind: "new_person", role: "parent_carer", person: sarahIn },
          { kind: "new_person", role: "child", person: avaIn },
        ],
      },
    }),
  );
  const family = registered.data;
  const sarah = present(family.members.find((m) => m.role === "parent_carer"), "the parent");
  const ava = present(family.members.find((m) => m.role === "child"), "the child");
  check(family.address.postcode === "FY1 3HT", `the postcode should be stored canonically, got ${family.address.postcode}`);
  await expectVersioned(
    "record consent to take part",
    201,
    lead.POST("/api/v1/families/{family_id}/consents", {
      params: { path: { family_id: family.id } },
      body: {
        purpose: "early_help",
        given_by_person_id: sarah.person_id,
        on_behalf_of_person_ids: [ava.person_id],
        method: "written",
        given_on: on,
      },
    }),
  );
  const share = await expectVersioned(
    "record consent to share with the school",
    201,
    lead.POST("/api/v1/families/{family_id}/consents", {
      params: { path: { family_id: family.id } },
      body: {
        purpose: "information_sharing",
        sharing_scope: "named_agencies",
        agency_codes: ["SCHOOL_ST_ANNES"],
        given_by_person_id: sarah.person_id,
        method: "written",
        given_on: on,
      },
    }),
  );
  done(
    "register the family with consent",
    `${family.reference}; ${duplicates.data.length} possible duplicate(s) shown first;` +
      ` consent to take part and to share (${labelOf(labels, "SharingScope", "named_agencies")})`,
  );

  // --- open the episode, the case screen ---------------------------------------------------------
  const opened = await expectVersioned(
    "open the episode",
    201,
    lead.POST("/api/v1/episodes", {
      body: {
        family_id: family.id,
        source: "school",
        level_of_need: level.code,
        lead_practitioner_id: me.id,
        child_person_ids: [ava.person_id],
      },
    }),
  );
  const episodeId = opened.data.id;
  const opening = await expectVersioned(
    "the case screen",
    200,
    lead.GET("/api/v1/episodes/{episode_id}/case", { params: { path: { episode_id: episodeId } } }),
  );
  expectStage(opening.data.episode, "requested", "the new case");
  check(opening.data.family.name.includes(surname), `the case should name the ${surname} family, it names ${opening.data.family.name}`);
  check(opening.data.assessment === null && opening.data.plan === null, "a new case has no assessment or plan yet");
  let etag = etagFromVersion(opening.data.episode.version);
  done("open the episode and show the case", `${episodeId}: ${labelOf(labels, "EpisodeStage", opening.data.episode.stage)}, ${opening.data.family.members.length} member(s)`);

  // --- assess ---------------------------------------------------------------------------------
  const headlines = await expectStatus("outcome headlines", 200, lead.GET("/api/v1/outcome-headlines"));
  const education = present(headlines.data.find((h) => h.code === "EDU"), "the EDU outcome headline");
  const started = await expectVersioned(
    "start the assessment",
    200,
    lead.POST("/api/v1/episodes/{episode_id}/assessment-start", {
      params: { path: { episode_id: episodeId }, header: ifMatch(etag) },
    }),
  );
  etag = etagFromVersion(started.data.episode.version);
  expectStage(started.data.episode, "assessing", "after starting the assessment");
  const written = await expectVersioned(
    "write the assessment",
    200,
    lead.PATCH("/api/v1/episodes/{episode_id}/assessments/{assessment_id}", {
      params: {
        path: { episode_id: episodeId, assessment_id: started.data.assessment.id },
        header: ifMatch(etagFromVersion(started.data.assessment.version)),
      },
      body: {
        strengths: ["Warm relationship with mum"],
        needs: [{ headline: education.code, description: "Attendance 78% this term", person_ids: [ava.person_id] }],
        child_voice: "I hate mornings",
        parents_view: "Mornings are a battle",
        analysis: "Routines are the root.",
      },
    }),
  );
  const completed = await expectVersioned(
    "complete the assessment",
    200,
    lead.POST("/api/v1/episodes/{episode_id}/assessments/{assessment_id}/completion", {
      params: {
        path: { episode_id: episodeId, assessment_id: written.data.id },
        header: ifMatch(written.etag),
      },
    }),
  );
  check(completed.data.status === "completed", `the assessment should be completed, it is ${completed.data.status}`);
  const need = present(completed.data.needs[0], "the assessment's need");
  done("assess", `${education.code} need "${need.description}"; ${describeDeadlines(started.data.episode)}`);

  // --- plan and submit ------------------------------------------------------------------------
  const drafted = await expectVersioned(
    "draft the plan",
    201,
    lead.POST("/api/v1/episodes/{episode_id}/plans", {
      params: { path: { episode_id: episodeId } },
      body: {
        outcomes: [{ description: "Ava attends every day", need_ids: [need.id], measure: "Attendance > 95%", baseline_score: 3 }],
        actions: [{ description: "Morning routine chart", owner_person_id: sarah.person_id, due_on: "2030-01-31" }],
      },
    }),
  );
  const outcome = present(drafted.data.outcomes[0], "the plan's outcome");
  const submitted = await expectVersioned(
    "submit the plan for QA",
    200,
    lead.POST("/api/v1/episodes/{episode_id}/plan-submission", {
      params: { path: { episode_id: episodeId }, header: ifMatch(etag) },
    }),
  );
  expectStage(submitted.data.episode, "plan_awaiting_qa", "after submitting");
  done("plan and submit for QA", `plan ${drafted.data.number}; ${describeDeadlines(submitted.data.episode)}`);

  // --- the QA officer's screens ---------------------------------------------------------------
  const officer = (await expectStatus("who am I (QA)", 200, qa.GET("/api/v1/me"))).data;
  check(officer.roles.includes("quality_assurance"), `the QA officer should have the quality_assurance role, has [${officer.roles.join(", ")}]`);
  const qaWork = await expectStatus("the QA officer's worklist", 200, qa.GET("/api/v1/me/worklist", { params: { query: { limit: 200 } } }));
  const row = present(
    qaWork.data.items.find((i) => i.episode_id === episodeId && i.kind === "decide_on_plan"),
    "the QA officer's 'decide on plan' row for the new episode",
  );
  check(row.family_reference === family.reference, `the row should name the family ${family.reference}, it names ${row.family_reference}`);
  const toReview = await expectVersioned(
    "the QA officer opens the case",
    200,
    qa.GET("/api/v1/episodes/{episode_id}/case", { params: { path: { episode_id: episodeId } } }),
  );
  const reviewed = present(toReview.data.plan, "the plan awaiting QA on the case");
  check(reviewed.status === "submitted", `the plan should be submitted, it is ${reviewed.status}`);
  const approved = await expectVersioned(
    "QA approves the plan",
    200,
    qa.POST("/api/v1/episodes/{episode_id}/qa-decisions", {
      params: {
        path: { episode_id: episodeId },
        // The worklist row carries the episode's version: no read of the episode to decide.
        header: ifMatch(etagFromVersion(present(row.episode_version, "the row's episode version"))),
      },
      body: { outcome: "approved", comments: "Clear outcome, measurable." },
    }),
  );
  expectStage(approved.data.episode, "plan_approved", "after QA approval");
  expectDeadlines(approved.data.episode, ["first_taf"], "after QA approval");
  done("QA approves from the worklist row", `${officer.name}: "${row.family_name}", ${labelOf(labels, "WorkKind", row.kind)}`);

  // --- the lead: the first TAF meeting and a review ---------------------------------------------
  const next = await expectStatus("my worklist again", 200, lead.GET("/api/v1/me/worklist", { params: { query: { limit: 200 } } }));
  check(
    next.data.items.some((i) => i.episode_id === episodeId && i.kind === "hold_first_taf_meeting"),
    "the lead's worklist should now ask for the first TAF meeting",
  );
  const approvedCase = await expectVersioned(
    "the case after approval",
    200,
    lead.GET("/api/v1/episodes/{episode_id}/case", { params: { path: { episode_id: episodeId } } }),
  );
  const decision = present(approvedCase.data.plan?.qa_decisions[0], "the QA decision on the case");
  check(decision.officer_name === officer.name, `the case should name the QA officer ${officer.name}, it names ${decision.officer_name ?? "nobody"}`);
  etag = etagFromVersion(approvedCase.data.episode.version);
  const found = await expectStatus(
    "pick the school's attendance officer",
    200,
    lead.GET("/api/v1/practitioners", { params: { query: { name: "Schofield" } } }),
  );
  const sam = present(found.data.items[0], "Sam Schofield in the directory");
  const added = await expectVersioned(
    "add the school worker to the TAF",
    201,
    lead.POST("/api/v1/episodes/{episode_id}/taf-members", {
      params: { path: { episode_id: episodeId } },
      body: { kind: "practitioner", practitioner_id: sam.id, role: "Attendance officer" },
    }),
  );
  const member = added.data;
  check(member.kind === "practitioner", `the school worker should join as a practitioner, not ${member.kind}`);
  const first = await expectVersioned(
    "hold the first TAF meeting",
    201,
    lead.POST("/api/v1/episodes/{episode_id}/meetings", {
      params: { path: { episode_id: episodeId }, header: ifMatch(etag) },
      body: {
        held_on: on,
        attendee_member_ids: [member.id],
        family_present: true,
        child_voice: "shared",
        progress: [{ outcome_id: outcome.id, score: 4 }],
        decision: "continue",
      },
    }),
  );
  check(first.data.meeting.is_first, "the first meeting should be marked is_first");
  expectStage(first.data.episode, "active", "after the first TAF meeting");
  const activeCase = await expectVersioned(
    "the case after the first meeting",
    200,
    lead.GET("/api/v1/episodes/{episode_id}/case", { params: { path: { episode_id: episodeId } } }),
  );
  check(activeCase.data.taf.some((t) => t.name === sam.name), `the case's TAF should name ${sam.name}`);
  check(activeCase.data.plan?.status === "agreed", `the first meeting should agree the plan, it is ${activeCase.data.plan?.status ?? "missing"}`);
  const review = await expectVersioned(
    "hold a review",
    201,
    lead.POST("/api/v1/episodes/{episode_id}/meetings", {
      params: { path: { episode_id: episodeId }, header: ifMatch(etagFromVersion(activeCase.data.episode.version)) },
      body: {
        held_on: on,
        attendee_member_ids: [member.id],
        family_present: true,
        child_voice: "present",
        progress: [{ outcome_id: outcome.id, score: 8 }],
        decision: "continue",
        notes: "Attendance up; mornings calmer.",
      },
    }),
  );
  check(!review.data.meeting.is_first, "the second meeting should be a review");
  check(review.data.episode.meetings_held === 2, `two meetings should be held, the episode shows ${review.data.episode.meetings_held}`);
  done("first TAF meeting and a review", `TAF ${activeCase.data.taf.map((t) => t.name ?? "?").join(", ")}; ${describeDeadlines(review.data.episode)}`);

  return {
    me,
    family,
    sarah,
    ava,
    shareConsent: share.data,
    episode: review.data.episode,
    etag: review.etag,
    assessment: completed.data,
    plan: drafted.data,
    member,
    labels,
  };
}
