/**
 * Runs a new family through the whole early help cycle against a running familyhub, as the demo
 * users, through the typed client, like scripts/walkthrough.sh; it checks every step on the way.
 *
 *   FAMILYHUB_API=http://127.0.0.1:8000 \
 *   LEAD_TOKEN=... QA_TOKEN=... LINK_TOKEN=... MANAGER_TOKEN=... npm run cycle
 *
 * Tokens: `familyhub token --user lena.lead@familyhub.example` (QA: quinn.qa@, link worker:
 * lee.link@, manager: mo.manager@). Exits 1 with a message naming the failed step.
 */
import {
  createFamilyhubClient,
  etagFromVersion,
  expectProblem,
  expectStatus,
  expectNotModifiedOrOk,
  expectVersioned,
  FamilyhubApiError,
  FamilyhubUnreachable,
  ifMatch,
  ifNoneMatch,
  newIdempotencyKey,
  wasReplayed,
  type ETag,
  type FamilyhubClient,
  type Schemas,
} from "./client.js";

type DeadlineKind = Schemas["DeadlineKind"];
type DeadlineStatus = Schemas["DeadlineStatus"];
type EpisodeRead = Schemas["EpisodeRead"];
type EpisodeStage = Schemas["EpisodeStage"];

class CheckFailed extends Error {
  override readonly name = "CheckFailed";
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new CheckFailed(message);
  }
}

function present<T>(value: T | null | undefined, what: string): T {
  check(value !== null && value !== undefined, `${what} is missing`);
  return value;
}

function env(name: string, fallback?: string): string {
  const value = process.env[name];
  if (value !== undefined && value !== "") {
    return value;
  }
  if (fallback !== undefined) {
    return fallback;
  }
  throw new CheckFailed(`environment variable ${name} is not set (see the top of src/cycle.ts)`);
}

let stepNumber = 0;

function done(what: string, detail = ""): void {
  stepNumber += 1;
  const n = String(stepNumber).padStart(2, " ");
  console.log(`ok ${n}  ${what}${detail === "" ? "" : `: ${detail}`}`);
}

function expectStage(episode: EpisodeRead, stage: EpisodeStage, when: string): void {
  check(
    episode.stage === stage,
    `${when}: the episode should be at stage "${stage}", it is at "${episode.stage}"`,
  );
}

function deadlineKinds(episode: EpisodeRead): DeadlineKind[] {
  return episode.deadlines.map((d) => d.kind);
}

function expectDeadlines(episode: EpisodeRead, kinds: DeadlineKind[], when: string): void {
  const present = new Set(deadlineKinds(episode));
  const missing = kinds.filter((k) => !present.has(k));
  check(
    missing.length === 0,
    `${when}: the episode should show deadlines [${kinds.join(", ")}]; missing [${missing.join(", ")}]` +
      ` (it shows [${deadlineKinds(episode).join(", ")}])`,
  );
}

function describeDeadlines(episode: EpisodeRead): string {
  return episode.deadlines
    .map((d) => `${d.kind} ${d.status}${d.met_on === null ? ` due ${d.due_on}` : ""}`)
    .join(", ");
}

/** The last day of the latest quarter that has ended by `day` (YYYY-MM-DD). */
function lastQuarterEnd(day: string): string {
  const [year, month] = day.split("-").map(Number) as [number, number];
  const quarter = Math.floor((month - 1) / 3);
  const ends = ["12-31", "03-31", "06-30", "09-30"] as const;
  return `${quarter === 0 ? year - 1 : year}-${ends[quarter] ?? "12-31"}`;
}

/** "Today" as the service sees it: the date in FAMILYHUB_TIMEZONE (Europe/London by default). */
function today(timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date());
}

async function findPractitioner(api: FamilyhubClient, name: string): Promise<Schemas["PractitionerRead"]> {
  const found = await expectStatus(
    `look up practitioner "${name}"`,
    200,
    api.GET("/api/v1/practitioners", { params: { query: { name } } }),
  );
  return present(found.data.items[0], `a practitioner named "${name}"`);
}

async function run(): Promise<void> {
  const baseUrl = env("FAMILYHUB_API", "http://127.0.0.1:8000");
  const lead = createFamilyhubClient({ baseUrl, token: env("LEAD_TOKEN") });
  const qa = createFamilyhubClient({ baseUrl, token: env("QA_TOKEN") });
  const link = createFamilyhubClient({ baseUrl, token: env("LINK_TOKEN") });
  const manager = createFamilyhubClient({ baseUrl, token: env("MANAGER_TOKEN") });
  const on = today(env("FAMILYHUB_TIMEZONE", "Europe/London"));
  console.log(`familyhub at ${baseUrl}, today ${on}`);

  // --- reference data -------------------------------------------------------------------------
  const hubs = await expectStatus("list hubs", 200, lead.GET("/api/v1/hubs"));
  const north = present(
    hubs.data.find((h) => h.code === "NORTH"),
    "the NORTH hub (the link worker's hub)",
  );
  const lena = await findPractitioner(lead, "Lena");
  const sam = await findPractitioner(lead, "Schofield");
  check(lena.name === "Lena Lead", `the practitioner "Lena" should be Lena Lead, found ${lena.name}`);
  check(sam.name === "Sam Schofield", `"Schofield" should be Sam Schofield, found ${sam.name}`);
  done("reference data", `hub ${north.code}, lead ${lena.name}, school worker ${sam.name} (${sam.agency_code})`);

  // --- register the household (retry-safe) ----------------------------------------------------
  const idempotencyKey = newIdempotencyKey("cycle");
  // A member is a new person (`kind: "new_person"` with `person`) or one already known
  // (`kind: "existing_person"` with `person_id`): the contract's discriminated union.
  const registration: Schemas["FamilyCreate"] = {
    address: { line1: "12 Cedar Road", town: "Blackpool", postcode: "fy1 3ht" },
    hub_id: north.id,
    members: [
      {
        kind: "new_person",
        role: "parent_carer",
        person: { given_name: "Sarah", family_name: "Walker", date_of_birth: "1990-02-14" },
      },
      {
        kind: "new_person",
        role: "child",
        person: { given_name: "Ava", family_name: "Walker", date_of_birth: "2017-06-01" },
      },
    ],
  };
  const registered = await expectVersioned(
    "register the family",
    201,
    lead.POST("/api/v1/families", {
      params: { header: { "Idempotency-Key": idempotencyKey } },
      body: registration,
    }),
  );
  const family = registered.data;
  check(!wasReplayed(registered.response), "the first registration should not be a replay");
  const sarah = present(family.members.find((m) => m.role === "parent_carer"), "the parent in the family");
  const ava = present(family.members.find((m) => m.role === "child"), "the child in the family");
  check(family.address.postcode === "FY1 3HT", `the postcode should be stored canonically, got ${family.address.postcode}`);
  done("register the family", `${family.reference} (${family.id}), ETag ${registered.etag}`);

  const replay = await expectStatus(
    "retry the registration with the same Idempotency-Key",
    201,
    lead.POST("/api/v1/families", {
      params: { header: { "Idempotency-Key": idempotencyKey } },
      body: registration,
    }),
  );
  check(wasReplayed(replay.response), "the retry should answer with Idempotent-Replayed: true");
  check(replay.data.id === family.id, "the retry should return the family first registered, not a new one");
  done("retry the registration", "replayed, no second family");

  // --- consent --------------------------------------------------------------------------------
  const takePart = await expectVersioned(
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
  check(takePart.data.purpose === "early_help", "the consent should be to take part in early help");
  const share = await expectVersioned(
    "record consent to share with SCHOOL_ST_ANNES",
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
  const sharing = await expectStatus(
    "check consent to share is in force",
    200,
    lead.GET("/api/v1/families/{family_id}/consent-status", {
      params: {
        path: { family_id: family.id },
        query: { purpose: "information_sharing", agency_code: "SCHOOL_ST_ANNES", on },
      },
    }),
  );
  check(sharing.data.in_force, "consent to share with SCHOOL_ST_ANNES should be in force today");
  check(share.data.purpose === "information_sharing", "the second consent should be to share");
  // Narrowed by `purpose`: only consent to share has a scope.
  const scope = share.data.purpose === "information_sharing" ? share.data.sharing_scope : null;
  done("record consent", `take part ${takePart.data.id}, share ${scope ?? "?"} ${share.data.agency_codes.join(",")} (in force)`);

  // --- 1. open the episode --------------------------------------------------------------------
  const opened = await expectVersioned(
    "open the episode",
    201,
    lead.POST("/api/v1/episodes", {
      body: {
        family_id: family.id,
        source: "school",
        level_of_need: "2",
        lead_practitioner_id: lena.id,
        child_person_ids: [ava.person_id],
      },
    }),
  );
  const episodeId = opened.data.id;
  let etag: ETag = opened.etag;
  expectStage(opened.data, "requested", "after opening");
  check(opened.data.lead.practitioner_id === lena.id, "Lena Lead should be the lead professional");
  done("open the episode", `${episodeId}, stage ${opened.data.stage}, ETag ${etag}`);

  // --- 2. start the assessment ----------------------------------------------------------------
  const started = await expectVersioned(
    "start the assessment",
    200,
    lead.POST("/api/v1/episodes/{episode_id}/assessment-start", {
      params: { path: { episode_id: episodeId }, header: ifMatch(etag) },
    }),
  );
  etag = started.etag;
  expectStage(started.data.episode, "assessing", "after starting the assessment");
  expectDeadlines(started.data.episode, ["assessment"], "after starting the assessment");
  const assessment = started.data.assessment;
  check(assessment.status === "draft", `the new assessment should be a draft, it is ${assessment.status}`);
  done("start the assessment", `stage assessing; ${describeDeadlines(started.data.episode)}`);

  // A stale ETag is refused with 412 and nothing changes.
  const stale = await expectProblem(
    "start the assessment again with the old ETag",
    412,
    lead.POST("/api/v1/episodes/{episode_id}/assessment-start", {
      params: { path: { episode_id: episodeId }, header: ifMatch(opened.etag) },
    }),
  );
  done("stale If-Match refused", `${stale.status} ${stale.code}`);

  // --- 3. write and complete the assessment ---------------------------------------------------
  const written = await expectVersioned(
    "write the assessment",
    200,
    lead.PATCH("/api/v1/episodes/{episode_id}/assessments/{assessment_id}", {
      params: {
        path: { episode_id: episodeId, assessment_id: assessment.id },
        // The ETag header of assessment-start is the episode's: the assessment's comes from its version.
        header: ifMatch(etagFromVersion(assessment.version)),
      },
      body: {
        strengths: ["Warm relationship with mum"],
        needs: [
          { headline: "EDU", description: "Attendance 78% this term", person_ids: [ava.person_id] },
        ],
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
        path: { episode_id: episodeId, assessment_id: assessment.id },
        header: ifMatch(written.etag),
      },
    }),
  );
  check(completed.data.status === "completed", `the assessment should be completed, it is ${completed.data.status}`);
  const need = present(completed.data.needs[0], "the assessment's need");
  check(need.headline === "EDU", `the need should carry the EDU headline, it carries ${need.headline}`);
  done("write and complete the assessment", `${completed.data.needs.length} need(s), completed ${completed.data.completed_on ?? "?"}`);

  // --- 4. draft the plan ----------------------------------------------------------------------
  const drafted = await expectVersioned(
    "draft the plan",
    201,
    lead.POST("/api/v1/episodes/{episode_id}/plans", {
      params: { path: { episode_id: episodeId } },
      body: {
        outcomes: [
          {
            description: "Ava attends every day",
            need_ids: [need.id],
            measure: "Attendance > 95%",
            baseline_score: 3,
          },
        ],
        actions: [
          {
            description: "Morning routine chart",
            owner_person_id: sarah.person_id,
            due_on: "2030-01-31",
          },
        ],
      },
    }),
  );
  const outcome = present(drafted.data.outcomes[0], "the plan's outcome");
  check(drafted.data.status === "draft", `the new plan should be a draft, it is ${drafted.data.status}`);
  done("draft the plan", `plan ${drafted.data.number}: ${drafted.data.outcomes.length} outcome(s), ${drafted.data.actions.length} action(s)`);

  // --- 5. submit for quality assurance --------------------------------------------------------
  const submitted = await expectVersioned(
    "submit the plan for QA",
    200,
    lead.POST("/api/v1/episodes/{episode_id}/plan-submission", {
      params: { path: { episode_id: episodeId }, header: ifMatch(etag) },
    }),
  );
  etag = submitted.etag;
  expectStage(submitted.data.episode, "plan_awaiting_qa", "after submitting");
  expectDeadlines(submitted.data.episode, ["assessment", "quality_assurance"], "after submitting");
  done("submit for QA", `stage plan_awaiting_qa; ${describeDeadlines(submitted.data.episode)}`);

  // --- 6. QA approves -------------------------------------------------------------------------
  const approved = await expectVersioned(
    "QA approves the plan",
    200,
    qa.POST("/api/v1/episodes/{episode_id}/qa-decisions", {
      params: { path: { episode_id: episodeId }, header: ifMatch(etag) },
      body: { outcome: "approved" },
    }),
  );
  etag = approved.etag;
  expectStage(approved.data.episode, "plan_approved", "after QA approval");
  expectDeadlines(approved.data.episode, ["assessment", "quality_assurance", "first_taf"], "after QA approval");
  check(approved.data.plan.status === "approved", `the plan should be approved, it is ${approved.data.plan.status}`);
  done("QA approves", `stage plan_approved; ${describeDeadlines(approved.data.episode)}`);

  // --- 7. the Team Around the Family ----------------------------------------------------------
  const member = await expectVersioned(
    "add the school worker to the TAF",
    201,
    lead.POST("/api/v1/episodes/{episode_id}/taf-members", {
      params: { path: { episode_id: episodeId } },
      body: { kind: "practitioner", practitioner_id: sam.id, role: "Attendance officer" },
    }),
  );
  // Narrowed by `kind`: only a practitioner member has an agency.
  check(member.data.kind === "practitioner", `the school worker should join as a practitioner, not ${member.data.kind}`);
  check(member.data.agency_code === "SCHOOL_ST_ANNES", `the school worker should join for SCHOOL_ST_ANNES, not ${member.data.agency_code ?? "no agency"}`);
  done("add Sam Schofield to the TAF", `member ${member.data.id} (${member.data.role})`);

  // --- 8. the first TAF meeting agrees the plan; the next one is a review ---------------------
  const first = await expectVersioned(
    "hold the first TAF meeting",
    201,
    lead.POST("/api/v1/episodes/{episode_id}/meetings", {
      params: { path: { episode_id: episodeId }, header: ifMatch(etag) },
      body: {
        held_on: on,
        attendee_member_ids: [member.data.id],
        family_present: true,
        child_voice: "shared",
        progress: [{ outcome_id: outcome.id, score: 4 }],
        decision: "continue",
      },
    }),
  );
  etag = first.etag;
  check(first.data.meeting.is_first, "the first meeting should be marked is_first");
  expectStage(first.data.episode, "active", "after the first TAF meeting");
  expectDeadlines(first.data.episode, ["first_taf", "review"], "after the first TAF meeting");
  done("first TAF meeting", `stage active; ${describeDeadlines(first.data.episode)}`);

  const review = await expectVersioned(
    "hold a review",
    201,
    lead.POST("/api/v1/episodes/{episode_id}/meetings", {
      params: { path: { episode_id: episodeId }, header: ifMatch(etag) },
      body: {
        held_on: on,
        attendee_member_ids: [member.data.id],
        family_present: true,
        child_voice: "present",
        progress: [{ outcome_id: outcome.id, score: 8 }],
        decision: "continue",
        notes: "Attendance up; mornings calmer.",
      },
    }),
  );
  etag = review.etag;
  check(!review.data.meeting.is_first, "the second meeting should be a review, not the first");
  expectStage(review.data.episode, "active", "after the review");
  check(review.data.episode.meetings_held === 2, `two meetings should be held, the episode shows ${review.data.episode.meetings_held}`);
  done("review", `meetings held ${review.data.episode.meetings_held}; ${describeDeadlines(review.data.episode)}`);

  // --- 9. close with the family's view --------------------------------------------------------
  const closed = await expectVersioned(
    "close the episode",
    200,
    lead.POST("/api/v1/episodes/{episode_id}/closure", {
      params: { path: { episode_id: episodeId }, header: ifMatch(etag) },
      body: {
        reason: "all_needs_met",
        family_view: { improved: "yes", in_their_words: "Mornings are calm now" },
      },
    }),
  );
  etag = closed.etag;
  expectStage(closed.data, "closed", "after closing");
  check(closed.data.closure_reason === "all_needs_met", `the closure reason should be all_needs_met, it is ${closed.data.closure_reason ?? "none"}`);
  check(closed.data.family_view?.improved === "yes", "the family's view should be recorded");
  done("close the episode", `closed ${closed.data.closed_on ?? "?"}, ${closed.data.closure_reason ?? "?"}`);

  // A closed episode refuses another meeting with 409.
  const refused = await expectProblem(
    "hold a meeting on the closed episode",
    409,
    lead.POST("/api/v1/episodes/{episode_id}/meetings", {
      params: { path: { episode_id: episodeId }, header: ifMatch(etag) },
      body: {
        held_on: on,
        attendee_member_ids: [member.data.id],
        family_present: true,
        child_voice: "not_shared",
        decision: "continue",
      },
    }),
  );
  done("meeting after closure refused", `${refused.status} ${refused.code}`);

  // --- read back: the episode, the link worker's worklist, the access log ---------------------
  const read = await expectVersioned(
    "read the episode",
    200,
    lead.GET("/api/v1/episodes/{episode_id}", { params: { path: { episode_id: episodeId } } }),
  );
  const episode = read.data;
  check(read.etag === etag, `the episode's ETag should be ${etag} (from the closure), it is ${read.etag}`);
  expectStage(episode, "closed", "reading the episode back");
  expectDeadlines(episode, ["assessment", "quality_assurance", "first_taf", "review"], "reading the episode back");
  const statusOf = (kind: DeadlineKind): DeadlineStatus[] =>
    episode.deadlines.filter((d) => d.kind === kind).map((d) => d.status);
  for (const kind of ["assessment", "quality_assurance", "first_taf"] as const) {
    check(
      statusOf(kind).includes("met_on_time"),
      `the ${kind} deadline should be met on time, it is [${statusOf(kind).join(", ")}]`,
    );
  }
  const running = episode.deadlines.filter(
    (d) => d.status === "on_time" || d.status === "due_soon" || d.status === "overdue",
  );
  check(running.length === 0, `a closed episode should have no running clock; running: ${running.map((d) => d.kind).join(", ")}`);
  done("read the episode", describeDeadlines(episode));

  const conditional = await expectNotModifiedOrOk(
    "read the episode again with If-None-Match",
    lead.GET("/api/v1/episodes/{episode_id}", {
      params: { path: { episode_id: episodeId }, header: ifNoneMatch(read.etag) },
    }),
  );
  check(conditional.notModified, `a GET with If-None-Match: ${read.etag} should answer 304 Not Modified`);
  done("conditional GET", "304 Not Modified");

  const worklist = await expectStatus(
    "read the link worker's overdue list",
    200,
    link.GET("/api/v1/timeliness/overdue", { params: { query: { limit: 200 } } }),
  );
  const items = worklist.data.items;
  const outsideHub = items.filter((i) => i.hub_id !== north.id);
  check(outsideHub.length === 0, `the North link worker should see only North, saw ${outsideHub.map((i) => i.hub_code).join(", ")}`);
  check(
    items.every((i) => i.status === "overdue" || i.status === "due_soon"),
    "the overdue list should hold only overdue and due-soon deadlines",
  );
  check(!items.some((i) => i.episode_id === episodeId), "the closed episode should not be on the overdue list");
  const overdueKinds = [...new Set(items.map((i) => i.kind))];
  done("link worker's overdue list", `${items.length} item(s) in North, kinds [${overdueKinds.join(", ")}]; the closed episode is not on it`);

  const forbidden = await expectProblem(
    "the link worker tries to write",
    403,
    link.POST("/api/v1/episodes/{episode_id}/closure", {
      params: { path: { episode_id: episodeId }, header: ifMatch(etag) },
      body: { reason: "other" },
    }),
  );
  done("link worker cannot write", `${forbidden.status} ${forbidden.code}`);

  const log = await expectStatus(
    "read the family's access log",
    200,
    manager.GET("/api/v1/families/{family_id}/access-log", {
      params: { path: { family_id: family.id }, query: { limit: 200 } },
    }),
  );
  const entries = log.data.items;
  check(entries.length > 0, "the access log should not be empty");
  const by = (name: string): Schemas["AccessLogEntryRead"][] => entries.filter((e) => e.actor_name === name);
  check(by("Lena Lead").length > 0, "the access log should show Lena Lead's reads and writes");
  check(by("Mo Manager").some((e) => e.action === "read_access_log"), "the access log should show the manager reading it");
  check(entries.some((e) => e.outcome === "denied"), "the access log should show the link worker's refused write");
  const actors = [...new Set(entries.map((e) => e.actor_name ?? "(unknown)"))];
  done("manager reads the access log", `${entries.length} entr${entries.length === 1 ? "y" : "ies"} by ${actors.join(", ")}`);

  // The same report as JSON (typed as its model) and as CSV (`Accept: text/csv`, a string).
  const quarterEnd = lastQuarterEnd(on);
  const progress = await expectStatus(
    "read the quarterly progress report",
    200,
    manager.GET("/api/v1/reports/quarterly-progress", { params: { query: { quarter_end: quarterEnd } } }),
  );
  const csv = await expectStatus(
    "read the quarterly progress report as CSV",
    200,
    manager.GET("/api/v1/reports/quarterly-progress", {
      params: { query: { quarter_end: quarterEnd } },
      headers: { Accept: "text/csv" },
      parseAs: "text",
    }),
  );
  const csvHeader = csv.data.split("\r\n")[0];
  check(csvHeader === "scope,measure,dimension,group,value", `the CSV should start with its header row, not ${csvHeader ?? "nothing"}`);
  done("quarterly progress", `${progress.data.families_attached} attached by ${quarterEnd}; CSV ${csv.data.length} bytes`);

  console.log(`\nthe whole cycle passed: family ${family.reference}, episode ${episodeId}`);
}

run().catch((err: unknown) => {
  stepNumber += 1;
  if (err instanceof FamilyhubApiError || err instanceof FamilyhubUnreachable || err instanceof CheckFailed) {
    console.error(`not ok ${stepNumber}  ${err.message}`);
  } else if (err instanceof Error) {
    console.error(`not ok ${stepNumber}  unexpected error: ${err.stack ?? err.message}`);
  } else {
    console.error(`not ok ${stepNumber}  unexpected error: ${String(err)}`);
  }
  process.exit(1);
});
