/**
 * The whole early help cycle against a running familyhub, as every role the service defines,
 * through the typed client: what a strict-TypeScript front end does, checked at every step.
 *
 *   FAMILYHUB_API=http://127.0.0.1:8000 LEAD_TOKEN=... QA_TOKEN=... LINK_TOKEN=... \
 *   MANAGER_TOKEN=... ADMIN_TOKEN=... REPORTING_TOKEN=... AUDITOR_TOKEN=... SCHOOL_TOKEN=... \
 *   npm run cycle
 *
 * Tokens: `familyhub token --user <email>` for the demo users lena.lead@ (lead professional),
 * quinn.qa@ (QA officer), lee.link@ (link worker), mo.manager@, ada.admin@, reports@ (the
 * reporting account), aud.auditor@ and sam.school@ (a TAF member), all @familyhub.example.
 * scripts/client-check.sh issues them and runs this against a throwaway server.
 *
 * It fails (exit 1, naming the step) when a step does not behave as the contract says, when
 * fewer than MIN_OPERATIONS of the contract's operations were exercised, or when the measured
 * journey (src/journey.ts) takes more than MAX_JOURNEY_REQUESTS requests. It keeps the
 * measured count in ../README.md (between the `journey-count` markers) up to date.
 */
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import {
  createFamilyhubClient,
  etagFromVersion,
  expectNotModifiedOrOk,
  expectProblem,
  expectStatus,
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
import {
  addDays,
  CheckFailed,
  check,
  describeDeadlines,
  done,
  env,
  expectStage,
  failed,
  lastQuarterEnd,
  monthEnd,
  nextCursorFromLink,
  present,
  section,
  today,
} from "./checks.js";
import { labelOf, leadJourney } from "./journey.js";
import { loadOperations, Traffic } from "./traffic.js";

/** The contract's operations this run must exercise, at least. */
const MIN_OPERATIONS = 60;
/** Requests the measured journey took before one call per screen (issue 17). */
const JOURNEY_REQUESTS_BEFORE = 82;
/** At most half of them now. */
const MAX_JOURNEY_REQUESTS = 41;

const CONTRACT = fileURLToPath(new URL("../../../openapi/openapi.json", import.meta.url));
const README = fileURLToPath(new URL("../README.md", import.meta.url));

type FieldErrorType = Schemas["FieldErrorType"];

interface Staff {
  lead: FamilyhubClient;
  qa: FamilyhubClient;
  link: FamilyhubClient;
  manager: FamilyhubClient;
  admin: FamilyhubClient;
  reporting: FamilyhubClient;
  auditor: FamilyhubClient;
  school: FamilyhubClient;
}

const ROLE_OF: Record<keyof Staff, Schemas["Role"]> = {
  lead: "practitioner",
  qa: "quality_assurance",
  link: "link_worker",
  manager: "manager",
  admin: "admin",
  reporting: "reporting",
  auditor: "auditor",
  school: "practitioner",
};

const TOKEN_OF: Record<keyof Staff, string> = {
  lead: "LEAD_TOKEN",
  qa: "QA_TOKEN",
  link: "LINK_TOKEN",
  manager: "MANAGER_TOKEN",
  admin: "ADMIN_TOKEN",
  reporting: "REPORTING_TOKEN",
  auditor: "AUDITOR_TOKEN",
  school: "SCHOOL_TOKEN",
};

const STAFF_KEYS: readonly (keyof Staff)[] = ["lead", "qa", "link", "manager", "admin", "reporting", "auditor", "school"];

function staffOf(baseUrl: string, traffic: Traffic): Staff {
  const make = (who: keyof Staff): FamilyhubClient =>
    createFamilyhubClient({ baseUrl, token: env(TOKEN_OF[who]), fetch: traffic.fetchAs(who) });
  return {
    lead: make("lead"),
    qa: make("qa"),
    link: make("link"),
    manager: make("manager"),
    admin: make("admin"),
    reporting: make("reporting"),
    auditor: make("auditor"),
    school: make("school"),
  };
}

/** A surname no earlier run used, so the searches below find this run's families only. */
function surnameFor(run: string): string {
  const letters = run.replace(/[^a-f]/g, "").slice(0, 6).padEnd(6, "a");
  return `Walker${letters.charAt(0).toUpperCase()}${letters.slice(1)}`;
}

async function run(): Promise<void> {
  const baseUrl = env("FAMILYHUB_API", "http://127.0.0.1:8000");
  const on = today(env("FAMILYHUB_TIMEZONE", "Europe/London"));
  const traffic = new Traffic(await loadOperations(CONTRACT));
  const staff = staffOf(baseUrl, traffic);
  const runId = crypto.randomUUID();
  const surname = surnameFor(runId);
  console.log(`familyhub at ${baseUrl}, today ${on}, ${traffic.operations.length} operations in the contract`);

  // === everyone signs in ============================================================================
  section("every role signs in: GET /me is each front end's first call");
  const health = await expectStatus("health", 200, staff.lead.GET("/health"));
  const ready = await expectStatus("readiness", 200, staff.lead.GET("/ready"));
  done("health and readiness", `${health.data.status}; database ${ready.data.database}, migrations ${ready.data.migrations}`);
  const profiles = new Map<keyof Staff, Schemas["MeRead"]>();
  for (const who of STAFF_KEYS) {
    const api = staff[who];
    const me = (await expectStatus(`who am I (${who})`, 200, api.GET("/api/v1/me"))).data;
    check(me.roles.includes(ROLE_OF[who]), `${me.name} should have the ${ROLE_OF[who]} role, has [${me.roles.join(", ")}]`);
    profiles.set(who, me);
  }
  done(
    "GET /me as every role",
    [...profiles].map(([who, me]) => `${who} ${me.name} [${me.roles.join(",")}]`).join("; "),
  );
  const labels = await expectVersioned("labels", 200, staff.admin.GET("/api/v1/labels"));
  const cached = await expectNotModifiedOrOk(
    "labels again, with If-None-Match",
    staff.admin.GET("/api/v1/labels", { params: { header: ifNoneMatch(labels.etag) } }),
  );
  check(cached.notModified, "the labels should answer 304 to their own ETag");
  const roleLabels = present(labels.data.enums["Role"], "the Role labels").map((l) => l.label);
  done("labels, then 304 Not Modified", `roles: ${roleLabels.join(", ")}; ${Object.keys(labels.data.code_lists).join(", ")} code lists`);
  const noWork = await expectProblem("the reporting account has no worklist", 403, staff.reporting.GET("/api/v1/me/worklist"));
  const noSearch = await expectProblem(
    "the admin searches for families",
    403,
    staff.admin.GET("/api/v1/families", { params: { query: { name: "Walker" } } }),
  );
  done("roles without case work are refused it", `reporting worklist ${noWork.status} ${noWork.code}; admin family search ${noSearch.status} ${noSearch.code}`);

  // === the measured journey =========================================================================
  section(`the journey (one lead's screens, open an episode to the first review): at most ${MAX_JOURNEY_REQUESTS} requests`);
  const journeyStart = traffic.mark();
  const journey = await leadJourney(staff.lead, staff.qa, on, surname);
  const journeyRequests = traffic.since(journeyStart);
  done(
    "the journey",
    `${journeyRequests.length} requests (before: ${JOURNEY_REQUESTS_BEFORE}); ` +
      [...new Set(journeyRequests.map((r) => r.who))]
        .map((who) => `${who} ${journeyRequests.filter((r) => r.who === who).length}`)
        .join(", "),
  );
  const { family, sarah, ava, member } = journey;
  const episodeId = journey.episode.id;
  const lena = journey.me;

  // === the lead, beyond the journey ================================================================
  section("the lead: the family, its people, consent and the episode's records");
  const familyRead = await expectVersioned(
    "read the family",
    200,
    staff.lead.GET("/api/v1/families/{family_id}", { params: { path: { family_id: family.id } } }),
  );
  // A change hint streams to the lead as the family changes (ids only): open the stream first.
  const hints = staff.lead.GET("/api/v1/me/events", {
    params: { query: { max_events: 1 } },
    headers: { Accept: "text/event-stream" },
    parseAs: "text",
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const moved = await expectVersioned(
    "the family moves house",
    200,
    staff.lead.PATCH("/api/v1/families/{family_id}", {
      params: { path: { family_id: family.id }, header: ifMatch(familyRead.etag) },
      body: { address: { line1: "3 Larch Close", town: "Blackpool", postcode: "FY2 0HH" } },
    }),
  );
  check(moved.data.address.line1 === "3 Larch Close", "the family's new address should be stored");
  const stream = await expectStatus("the change hint stream", 200, hints);
  check(stream.data.includes("event: change") && stream.data.includes(family.id), "the stream should carry a change hint naming the family");
  check(!stream.data.includes("Larch"), "a change hint carries ids only, no personal data");
  done("the family moves; the lead's event stream hints at it", `${moved.data.address.postcode}; ${stream.data.split("\n").find((l) => l.startsWith("data:")) ?? ""}`);

  const person = await expectVersioned(
    "read the child",
    200,
    staff.lead.GET("/api/v1/people/{person_id}", { params: { path: { person_id: ava.person_id } } }),
  );
  const send = await expectVersioned(
    "record the child's special educational needs",
    200,
    staff.lead.PATCH("/api/v1/people/{person_id}", {
      params: { path: { person_id: ava.person_id }, header: ifMatch(person.etag) },
      body: { send: true },
    }),
  );
  check(send.data.send, "the child's SEND flag should be set");
  const grandad = await expectVersioned(
    "grandad joins the household",
    201,
    staff.lead.POST("/api/v1/families/{family_id}/members", {
      params: { path: { family_id: family.id } },
      body: { kind: "new_person", role: "other_adult", person: { given_name: "Tom", family_name: surname, date_of_birth: "1958-09-09" } },
    }),
  );
  const tom = grandad.data;
  check(tom.person.given_name === "Tom" && tom.left_on === null, "Tom should be in the household");
  const related = await expectStatus(
    "Tom is Ava's grandparent",
    201,
    staff.lead.POST("/api/v1/families/{family_id}/relationships", {
      params: { path: { family_id: family.id } },
      body: { kind: "grandparent", person_id: tom.person_id, related_person_id: ava.person_id },
    }),
  );
  check(related.data.kind === "grandparent" && related.data.related_person_id === ava.person_id, "the relationship should be recorded");
  const household = await expectVersioned(
    "the household screen",
    200,
    staff.lead.GET("/api/v1/families/{family_id}", { params: { path: { family_id: family.id } } }),
  );
  check(household.data.relationships.some((r) => r.kind === "grandparent"), "the relationship should be on the family");
  const left = await expectVersioned(
    "Tom moves out",
    200,
    staff.lead.POST("/api/v1/families/{family_id}/members/{membership_id}/leave", {
      params: { path: { family_id: family.id, membership_id: tom.id }, header: ifMatch(household.etag) },
      body: { left_on: on },
    }),
  );
  check(left.data.members.find((m) => m.id === tom.id)?.left_on === on, "Tom's membership should end today");
  const search = await expectStatus(
    "search families by name",
    200,
    staff.lead.GET("/api/v1/families", { params: { query: { name: surname } } }),
  );
  check(search.data.items.some((r) => r.id === family.id), `searching "${surname}" should find the family`);
  done(
    "people and household",
    `Ava SEND; Tom joined as ${labelOf(journey.labels, "MemberRole", "other_adult")}, grandparent, left ${on};` +
      ` search "${surname}" finds ${search.data.items.length}`,
  );

  const consents = await expectStatus(
    "the family's consents",
    200,
    staff.lead.GET("/api/v1/families/{family_id}/consents", { params: { path: { family_id: family.id } } }),
  );
  check(consents.data.items.length === 2, `two consents should be recorded, found ${consents.data.items.length}`);
  const housing = await expectVersioned(
    "consent to share with housing",
    201,
    staff.lead.POST("/api/v1/families/{family_id}/consents", {
      params: { path: { family_id: family.id } },
      body: {
        purpose: "information_sharing",
        sharing_scope: "named_agencies",
        agency_codes: ["HOUSING"],
        given_by_person_id: sarah.person_id,
        method: "verbal",
        given_on: on,
      },
    }),
  );
  const housingRead = await expectVersioned(
    "read the housing consent",
    200,
    staff.lead.GET("/api/v1/families/{family_id}/consents/{consent_id}", {
      params: { path: { family_id: family.id, consent_id: housing.data.id } },
    }),
  );
  const withdrawn = await expectVersioned(
    "Sarah withdraws consent to share with housing",
    200,
    staff.lead.POST("/api/v1/families/{family_id}/consents/{consent_id}/withdrawal", {
      params: { path: { family_id: family.id, consent_id: housing.data.id }, header: ifMatch(housingRead.etag) },
      body: { reason: "Sarah would rather tell housing herself", withdrawn_on: on, withdrawn_by_person_id: sarah.person_id },
    }),
  );
  check(withdrawn.data.withdrawal !== null, "the consent should carry its withdrawal");
  const housingStatus = await expectStatus(
    "is consent to share with housing in force",
    200,
    staff.lead.GET("/api/v1/families/{family_id}/consent-status", {
      params: { path: { family_id: family.id }, query: { purpose: "information_sharing", agency_code: "HOUSING", on } },
    }),
  );
  check(!housingStatus.data.in_force, "consent to share with housing should no longer be in force");
  done("consent", `${consents.data.items.length} recorded; housing given then withdrawn (in force: ${String(housingStatus.data.in_force)})`);

  section("the lead: the daily record");
  const visit = await expectStatus(
    "record a home visit where Ava was seen alone",
    201,
    staff.lead.POST("/api/v1/episodes/{episode_id}/contacts", {
      params: { path: { episode_id: episodeId } },
      body: {
        kind: "home_visit",
        seen_person_ids: [sarah.person_id, ava.person_id],
        children_seen_alone: [ava.person_id],
        child_voice: "I like it when mum walks me to school.",
        note: "Mornings calmer since the routine chart.",
        significant: true,
      },
    }),
  );
  const contacts = await expectStatus(
    "the episode's contacts",
    200,
    staff.lead.GET("/api/v1/episodes/{episode_id}/contacts", { params: { path: { episode_id: episodeId } } }),
  );
  check(contacts.data.items.some((c) => c.id === visit.data.id), "the visit should be listed");
  const letter = "Dear Mrs Hughes,\nThank you for meeting us.\n";
  const form = new FormData();
  form.append("file", new Blob([letter], { type: "text/plain" }), "letter.txt");
  form.append("title", "Letter after the first visit");
  const uploaded = await expectStatus(
    "upload a letter to the episode",
    201,
    staff.lead.POST("/api/v1/episodes/{episode_id}/documents", {
      params: { path: { episode_id: episodeId } },
      // A multipart body: the form goes out as it is, with its own boundary.
      body: form as unknown as { file: string; title: string },
      bodySerializer: (body: unknown) => body as FormData,
    }),
  );
  const downloaded = await staff.lead.GET("/api/v1/documents/{document_id}/content", {
    params: { path: { document_id: uploaded.data.id } },
    parseAs: "text",
  });
  check(downloaded.response.status === 200, `the download should answer 200, not ${downloaded.response.status}`);
  check(downloaded.data === letter, "the downloaded letter should be the bytes uploaded");
  check(
    (downloaded.response.headers.get("Content-Disposition") ?? "").startsWith("attachment"),
    "a document is always downloaded as an attachment",
  );
  const timeline = await expectStatus(
    "the family's chronology",
    200,
    staff.lead.GET("/api/v1/families/{family_id}/chronology", {
      params: { path: { family_id: family.id }, query: { kind: ["contact", "document_added"] } },
    }),
  );
  check(timeline.data.items.length === 2, `the visit and the letter should be in the chronology, found ${timeline.data.items.length}`);
  done("daily record", "a home visit recorded, a letter uploaded and downloaded intact, both in the chronology");

  section("the lead: the episode's own records");
  const episodeRead = await expectVersioned(
    "read the episode",
    200,
    staff.lead.GET("/api/v1/episodes/{episode_id}", { params: { path: { episode_id: episodeId } } }),
  );
  check(episodeRead.etag === journey.etag, `the episode's ETag should still be ${journey.etag}, it is ${episodeRead.etag}`);
  const unchanged = await expectNotModifiedOrOk(
    "read the episode again with If-None-Match",
    staff.lead.GET("/api/v1/episodes/{episode_id}", { params: { path: { episode_id: episodeId }, header: ifNoneMatch(episodeRead.etag) } }),
  );
  check(unchanged.notModified, "the unchanged episode should answer 304");
  const episodes = await expectStatus(
    "the family's episodes",
    200,
    staff.lead.GET("/api/v1/episodes", { params: { query: { family_id: family.id } } }),
  );
  check(episodes.data.items.length === 1 && episodes.data.items[0]?.id === episodeId, "the family should have the one episode");
  done("the episode, then 304; the family's episodes", `${describeDeadlines(episodeRead.data)}`);

  // A typed 412: the level changes with a stale ETag; the problem's `current` is an EpisodeRead.
  const stale = await expectProblem(
    "raise the level of need with the ETag from before the meetings",
    412,
    staff.lead.POST("/api/v1/episodes/{episode_id}/level-changes", {
      params: { path: { episode_id: episodeId }, header: ifMatch(etagFromVersion(1)) },
      body: { level_of_need: "3", reason: "School attendance has fallen again" },
    }),
  );
  check("current" in stale, "the 412 should carry the episode as it is now");
  const current = present(stale.current, "the 412's current episode");
  check(current.version === episodeRead.data.version, `the 412's current version should be ${episodeRead.data.version}, it is ${current.version}`);
  check(current.level_of_need === "2", `the level should still be 2, it is ${current.level_of_need}`);
  const raised = await expectVersioned(
    "raise the level of need again, on the current version",
    200,
    staff.lead.POST("/api/v1/episodes/{episode_id}/level-changes", {
      params: { path: { episode_id: episodeId }, header: ifMatch(etagFromVersion(current.version)) },
      body: { level_of_need: "3", reason: "School attendance has fallen again" },
    }),
  );
  check(raised.data.level_of_need === "3", `the level should now be 3, it is ${raised.data.level_of_need}`);
  let episodeEtag: ETag = raised.etag;
  done("412 Precondition Failed, typed", `${stale.code}: current is version ${current.version} at ${labelOf(journey.labels, "EpisodeStage", current.stage)}; retried on it: level ${raised.data.level_of_need}`);

  const assessments = await expectStatus(
    "the episode's assessments",
    200,
    staff.lead.GET("/api/v1/episodes/{episode_id}/assessments", { params: { path: { episode_id: episodeId } } }),
  );
  const assessment = await expectVersioned(
    "read the assessment",
    200,
    staff.lead.GET("/api/v1/episodes/{episode_id}/assessments/{assessment_id}", {
      params: { path: { episode_id: episodeId, assessment_id: journey.assessment.id } },
    }),
  );
  check(assessment.data.status === "completed", "the assessment should be completed");
  const reassessment = await expectVersioned(
    "start a reassessment",
    201,
    staff.lead.POST("/api/v1/episodes/{episode_id}/assessments", { params: { path: { episode_id: episodeId } } }),
  );
  check(reassessment.data.number === 2 && reassessment.data.status === "draft", "the reassessment should be draft number 2");
  done("assessments", `${assessments.data.length} completed; reassessment ${reassessment.data.number} started from ${reassessment.data.needs.length} need(s)`);

  const plans = await expectStatus(
    "the episode's plans",
    200,
    staff.lead.GET("/api/v1/episodes/{episode_id}/plans", { params: { path: { episode_id: episodeId } } }),
  );
  const agreed = await expectVersioned(
    "read the agreed plan",
    200,
    staff.lead.GET("/api/v1/episodes/{episode_id}/plans/{plan_id}", {
      params: { path: { episode_id: episodeId, plan_id: journey.plan.id } },
    }),
  );
  check(agreed.data.status === "agreed", `the plan should be agreed, it is ${agreed.data.status}`);
  const chart = present(agreed.data.actions[0], "the plan's action");
  const progressed = await expectVersioned(
    "the routine chart is under way",
    200,
    staff.lead.PATCH("/api/v1/episodes/{episode_id}/plans/{plan_id}/actions/{action_id}", {
      params: { path: { episode_id: episodeId, plan_id: agreed.data.id, action_id: chart.id }, header: ifMatch(agreed.etag) },
      body: { status: "in_progress" },
    }),
  );
  check(progressed.data.actions[0]?.status === "in_progress", "the action should be in progress");
  const revision = await expectVersioned(
    "revise the plan after the review",
    201,
    staff.lead.POST("/api/v1/episodes/{episode_id}/plans/{plan_id}/revision", {
      params: { path: { episode_id: episodeId, plan_id: agreed.data.id } },
    }),
  );
  const outcome = present(revision.data.outcomes[0], "the revision's outcome");
  const revised = await expectVersioned(
    "add an action to the revision",
    200,
    staff.lead.PATCH("/api/v1/episodes/{episode_id}/plans/{plan_id}", {
      params: { path: { episode_id: episodeId, plan_id: revision.data.id }, header: ifMatch(revision.etag) },
      body: {
        actions: [
          ...revision.data.actions.map((a) => ({ id: a.id, description: a.description, due_on: a.due_on, owner_person_id: a.owner_person_id, status: a.status })),
          { description: "Walk to school with grandad", due_on: addDays(on, 28), outcome_id: outcome.id, owner_taf_member_id: member.id },
        ],
      },
    }),
  );
  check(revised.data.actions.length === 2, `the revision should have two actions, it has ${revised.data.actions.length}`);
  done("plans", `${plans.data.length} plan(s); action ${labelOf(journey.labels, "ActionStatus", "in_progress")}; revision ${revised.data.number} with ${revised.data.actions.length} actions`);

  const taf = await expectStatus(
    "the TAF",
    200,
    staff.lead.GET("/api/v1/episodes/{episode_id}/taf-members", { params: { path: { episode_id: episodeId } } }),
  );
  const meetings = await expectStatus(
    "the TAF meetings",
    200,
    staff.lead.GET("/api/v1/episodes/{episode_id}/meetings", { params: { path: { episode_id: episodeId } } }),
  );
  check(meetings.data.length === 2, `two meetings should be listed, found ${meetings.data.length}`);
  done("TAF members and meetings", `${taf.data.length} member(s), ${meetings.data.length} meetings`);

  const need = present(journey.assessment.needs[0], "the assessed need");
  const sfNeed = await expectVersioned(
    "record the need against the Supporting Families framework",
    201,
    staff.lead.POST("/api/v1/episodes/{episode_id}/needs", {
      params: { path: { episode_id: episodeId } },
      body: {
        id: need.id,
        descriptor_code: `${need.headline}.a`,
        person_ids: [ava.person_id],
        identified_on: on,
        evidence: { source: "School MIS", reference: `ATT-${runId.slice(0, 8)}` },
      },
    }),
  );
  const support = await expectStatus(
    "record the support delivered",
    201,
    staff.lead.POST("/api/v1/episodes/{episode_id}/support", {
      params: { path: { episode_id: episodeId } },
      body: { service: "Family support worker", provider: "Family hub", started_on: on },
    }),
  );
  const sfNeeds = await expectStatus(
    "the family's needs",
    200,
    staff.lead.GET("/api/v1/episodes/{episode_id}/needs", { params: { path: { episode_id: episodeId } } }),
  );
  const supports = await expectStatus(
    "the support delivered",
    200,
    staff.lead.GET("/api/v1/episodes/{episode_id}/support", { params: { path: { episode_id: episodeId } } }),
  );
  check(sfNeeds.data.some((n) => n.id === sfNeed.data.id), "the recorded need should be listed");
  check(supports.data.some((s) => s.service === support.data.service), "the support should be listed");
  done("Supporting Families needs and support", `${sfNeed.data.descriptor_code}; ${supports.data.length} support record(s)`);

  // === a 422 whose field errors are typed ==============================================================
  section("a 422: every field problem at once, each typed by the contract");
  const invalid = await expectProblem(
    "register a family with three mistakes",
    422,
    staff.lead.POST("/api/v1/families", {
      body: {
        // What a person might type: the types allow any string where the API wants an id or a date.
        address: { line1: "", postcode: "FY1 3HT" },
        hub_id: "north",
        members: [{ kind: "new_person", role: "child", person: { given_name: "Zed", family_name: surname, date_of_birth: "01/06/2017" } }],
      },
    }),
  );
  const byField = new Map<string, FieldErrorType>(invalid.errors.map((e) => [e.field, e.type]));
  const expected: [string, FieldErrorType][] = [
    ["address.line1", "too_short"],
    ["hub_id", "not_an_id"],
    ["members[0].person.date_of_birth", "not_a_date"],
  ];
  check(invalid.errors.length === expected.length, `all ${expected.length} problems should be reported at once, ${invalid.errors.length} were`);
  for (const [field, type] of expected) {
    check(byField.get(field) === type, `${field} should be refused as ${type}, it is ${byField.get(field) ?? "not refused"}`);
  }
  check(invalid.errors.every((e) => e.message.length > 0 && !e.message.includes("Input should")), "each field problem should say what is wrong in words");
  done("422 with typed field errors", invalid.errors.map((e) => `${e.field} ${e.type} ("${e.message}")`).join("; "));

  // === sync: a TAF member leaves and the case drops out of their device ===============================
  section("delta sync: the school worker leaves the TAF, and the case leaves their device");
  const samFull = await expectStatus("the school worker's first sync", 200, staff.school.GET("/api/v1/me/changes"));
  check(samFull.data.full, "a sync without a cursor should be a full one");
  let samCursor = samFull.data.cursor;
  let samHasEpisode = samFull.data.episodes.some((e) => e.id === episodeId);
  for (let more = samFull.data.more; more; ) {
    const page = await expectStatus("the school worker's next sync page", 200, staff.school.GET("/api/v1/me/changes", { params: { query: { since: samCursor } } }));
    samHasEpisode ||= page.data.episodes.some((e) => e.id === episodeId);
    samCursor = page.data.cursor;
    more = page.data.more;
  }
  check(samHasEpisode, "the school worker's device should hold the case while they sit on its TAF");
  const tafMember = present(taf.data.find((m) => m.id === member.id), "the school worker's TAF membership");
  const leaving = await expectVersioned(
    "the school worker leaves the TAF",
    200,
    staff.lead.POST("/api/v1/episodes/{episode_id}/taf-members/{member_id}/leave", {
      params: { path: { episode_id: episodeId, member_id: member.id }, header: ifMatch(etagFromVersion(tafMember.version)) },
      body: { left_on: on },
    }),
  );
  check(leaving.data.left_on === on, "the membership should end today");
  const samDelta = await expectStatus("the school worker syncs again", 200, staff.school.GET("/api/v1/me/changes", { params: { query: { since: samCursor } } }));
  check(!samDelta.data.full, "a sync with a cursor should be a delta");
  const samRemoved = samDelta.data.removed.filter((r) => r.id === episodeId || r.id === family.id);
  check(samRemoved.some((r) => r.type === "episode" && r.id === episodeId), `the delta should remove the episode; it removes [${samDelta.data.removed.map((r) => `${r.type} ${r.id}`).join(", ")}]`);
  done("sync with a removal (a member leaves)", `full sync ${samFull.data.episodes.length} episode(s); delta removes ${samRemoved.map((r) => labelOf(journey.labels, "RecordType", r.type)).join(", ")}`);

  // === a plan returned by QA and resubmitted ===========================================================
  section("QA returns a plan with comments; the lead changes it and sends it back");
  const khan = await expectVersioned(
    "register a second family",
    201,
    staff.lead.POST("/api/v1/families", {
      params: { header: { "Idempotency-Key": newIdempotencyKey("return") } },
      body: {
        address: { line1: "40 Rowan Street", town: "Blackpool", postcode: "FY1 5DH" },
        hub_id: family.hub_id,
        members: [
          { kind: "new_person", role: "parent_carer", person: { given_name: "Amira", family_name: `${surname}-Khan`, date_of_birth: "1988-03-03" } },
          { kind: "new_person", role: "child", person: { given_name: "Yusuf", family_name: `${surname}-Khan`, date_of_birth: "2015-11-20" } },
        ],
      },
    }),
  );
  const amira = present(khan.data.members.find((m) => m.role === "parent_carer"), "Amira");
  const yusuf = present(khan.data.members.find((m) => m.role === "child"), "Yusuf");
  const replayed = await expectStatus(
    "register it again with a new key is a new family, with the same key a replay",
    201,
    staff.lead.POST("/api/v1/families", {
      params: { header: { "Idempotency-Key": `replay-${runId}` } },
      body: { address: { line1: "1 Replay Row", postcode: "FY1 1AA" }, hub_id: family.hub_id },
    }),
  );
  const again = await expectStatus(
    "retry the same registration",
    201,
    staff.lead.POST("/api/v1/families", {
      params: { header: { "Idempotency-Key": `replay-${runId}` } },
      body: { address: { line1: "1 Replay Row", postcode: "FY1 1AA" }, hub_id: family.hub_id },
    }),
  );
  check(!wasReplayed(replayed.response) && wasReplayed(again.response) && again.data.id === replayed.data.id, "a retry with the same Idempotency-Key should replay the first answer");
  await expectVersioned(
    "consent to take part",
    201,
    staff.lead.POST("/api/v1/families/{family_id}/consents", {
      params: { path: { family_id: khan.data.id } },
      body: { purpose: "early_help", given_by_person_id: amira.person_id, on_behalf_of_person_ids: [yusuf.person_id], method: "written", given_on: on },
    }),
  );
  const second = await expectVersioned(
    "open the second episode",
    201,
    staff.lead.POST("/api/v1/episodes", {
      body: { family_id: khan.data.id, source: "health_visitor", level_of_need: "2", lead_practitioner_id: lena.id, child_person_ids: [yusuf.person_id] },
    }),
  );
  const secondId = second.data.id;
  const begun = await expectVersioned(
    "start the second assessment",
    200,
    staff.lead.POST("/api/v1/episodes/{episode_id}/assessment-start", { params: { path: { episode_id: secondId }, header: ifMatch(second.etag) } }),
  );
  const noted = await expectVersioned(
    "write the second assessment",
    200,
    staff.lead.PATCH("/api/v1/episodes/{episode_id}/assessments/{assessment_id}", {
      params: { path: { episode_id: secondId, assessment_id: begun.data.assessment.id }, header: ifMatch(etagFromVersion(begun.data.assessment.version)) },
      body: { needs: [{ headline: "HEALTH", description: "Missed dental and asthma reviews", person_ids: [yusuf.person_id] }], analysis: "Appointments slip when mum works late." },
    }),
  );
  const finished = await expectVersioned(
    "complete the second assessment",
    200,
    staff.lead.POST("/api/v1/episodes/{episode_id}/assessments/{assessment_id}/completion", {
      params: { path: { episode_id: secondId, assessment_id: noted.data.id }, header: ifMatch(noted.etag) },
    }),
  );
  const health2 = present(finished.data.needs[0], "the second assessment's need");
  const thin = await expectVersioned(
    "draft a thin plan",
    201,
    staff.lead.POST("/api/v1/episodes/{episode_id}/plans", {
      params: { path: { episode_id: secondId } },
      body: { outcomes: [{ description: "Yusuf is healthier", need_ids: [health2.id], measure: "Better", baseline_score: 4 }] },
    }),
  );
  const sent = await expectVersioned(
    "send the thin plan to QA",
    200,
    staff.lead.POST("/api/v1/episodes/{episode_id}/plan-submission", {
      params: { path: { episode_id: secondId }, header: ifMatch(etagFromVersion(begun.data.episode.version)) },
    }),
  );
  const qaRows = await expectStatus("the QA officer's worklist", 200, staff.qa.GET("/api/v1/me/worklist", { params: { query: { limit: 200 } } }));
  const toDecide = present(qaRows.data.items.find((i) => i.episode_id === secondId && i.kind === "decide_on_plan"), "the second plan on the QA worklist");
  check(toDecide.episode_version === sent.data.episode.version, "the QA row should carry the episode's current version");
  const comments = "Make the outcome measurable: which appointments, by when.";
  const returned = await expectVersioned(
    "QA returns the plan with comments",
    200,
    staff.qa.POST("/api/v1/episodes/{episode_id}/qa-decisions", {
      params: { path: { episode_id: secondId }, header: ifMatch(etagFromVersion(present(toDecide.episode_version, "the row's episode version"))) },
      body: { outcome: "returned", comments },
    }),
  );
  expectStage(returned.data.episode, "plan_returned", "after QA returned the plan");
  check(returned.data.plan.status === "returned", `the plan should be returned, it is ${returned.data.plan.status}`);
  const leadRows = await expectStatus("the lead's worklist", 200, staff.lead.GET("/api/v1/me/worklist", { params: { query: { limit: 200 } } }));
  const resubmit = present(leadRows.data.items.find((i) => i.episode_id === secondId && i.kind === "resubmit_plan"), "the returned plan on the lead's worklist");
  check(resubmit.qa_comments === comments, `the row should carry QA's comments, it carries ${resubmit.qa_comments ?? "none"}`);
  check(resubmit.qa_officer_name === profiles.get("qa")?.name, `the row should name the QA officer, it names ${resubmit.qa_officer_name ?? "nobody"}`);
  check(resubmit.plan_id === thin.data.id, "the row should name the returned plan");
  const fixed = await expectVersioned(
    "make the outcome measurable",
    200,
    staff.lead.PATCH("/api/v1/episodes/{episode_id}/plans/{plan_id}", {
      params: { path: { episode_id: secondId, plan_id: present(resubmit.plan_id, "the row's plan id") }, header: ifMatch(etagFromVersion(returned.data.plan.version)) },
      body: {
        outcomes: [{ id: present(thin.data.outcomes[0], "the thin outcome").id, description: "Yusuf's dental and asthma reviews are kept", need_ids: [health2.id], measure: "Both reviews attended by the next TAF review", baseline_score: 4 }],
        actions: [{ description: "Book both reviews for after school", due_on: addDays(on, 14), owner_person_id: amira.person_id }],
      },
    }),
  );
  const resent = await expectVersioned(
    "send the plan back to QA",
    200,
    staff.lead.POST("/api/v1/episodes/{episode_id}/plan-submission", {
      params: { path: { episode_id: secondId }, header: ifMatch(etagFromVersion(present(resubmit.episode_version, "the row's episode version"))) },
    }),
  );
  expectStage(resent.data.episode, "plan_awaiting_qa", "after resubmitting");
  const approvedSecond = await expectVersioned(
    "QA approves the changed plan",
    200,
    staff.qa.POST("/api/v1/episodes/{episode_id}/qa-decisions", {
      params: { path: { episode_id: secondId }, header: ifMatch(resent.etag) },
      body: { outcome: "approved" },
    }),
  );
  check(approvedSecond.data.plan.qa_decisions.length === 2, "the plan should carry both QA decisions");
  done(
    "a QA return",
    `returned by ${resubmit.qa_officer_name ?? "?"} ("${comments}"), ${fixed.data.actions.length} action added, resubmitted, approved`,
  );

  // === the manager hands the case over: it drops out of the lead's sync ===============================
  section("the manager hands the second case to a new lead: it leaves Lena's caseload and device");
  const admin = profiles.get("admin");
  check(admin !== undefined, "the admin's profile");
  const agencies = await expectStatus("agencies", 200, staff.admin.GET("/api/v1/agencies"));
  const hubs = await expectStatus("hubs", 200, staff.admin.GET("/api/v1/hubs"));
  const council = present(agencies.data.find((a) => a.code === "COUNCIL_EH"), "the council's early help agency");
  const northHub = present(hubs.data.find((h) => h.id === family.hub_id), "the family's hub");
  const nia = await expectVersioned(
    "the admin registers a new family worker",
    201,
    staff.admin.POST("/api/v1/practitioners", {
      body: { name: `Nia ${surname}`, email: `nia.${runId.slice(0, 8)}@familyhub.example`, agency_code: council.code, roles: ["practitioner"], hub_ids: [] },
    }),
  );
  const niaRead = await expectVersioned(
    "read the new family worker",
    200,
    staff.admin.GET("/api/v1/practitioners/{practitioner_id}", { params: { path: { practitioner_id: nia.data.id } } }),
  );
  const niaInHub = await expectVersioned(
    "the new family worker joins the family's hub",
    200,
    staff.admin.PATCH("/api/v1/practitioners/{practitioner_id}", {
      params: { path: { practitioner_id: nia.data.id }, header: ifMatch(niaRead.etag) },
      body: { hub_ids: [northHub.id] },
    }),
  );
  check(niaInHub.data.hub_ids.includes(northHub.id), "the new worker should be in the family's hub");
  done("the admin registers a family worker", `${niaInHub.data.name} (${council.name}) in ${northHub.name}`);

  const lenaFull = await expectStatus("Lena's full sync", 200, staff.lead.GET("/api/v1/me/changes", { params: { query: { limit: 500 } } }));
  let lenaCursor = lenaFull.data.cursor;
  for (let more = lenaFull.data.more; more; ) {
    const page = await expectStatus("Lena's next sync page", 200, staff.lead.GET("/api/v1/me/changes", { params: { query: { since: lenaCursor, limit: 500 } } }));
    lenaCursor = page.data.cursor;
    more = page.data.more;
  }
  const secondNow = await expectVersioned(
    "the manager reads the second episode",
    200,
    staff.manager.GET("/api/v1/episodes/{episode_id}", { params: { path: { episode_id: secondId } } }),
  );
  const handed = await expectVersioned(
    "the manager hands the case to the new worker",
    200,
    staff.manager.POST("/api/v1/episodes/{episode_id}/lead-assignments", {
      params: { path: { episode_id: secondId }, header: ifMatch(secondNow.etag) },
      body: { practitioner_id: nia.data.id, reason: "Nia works evenings, when mum is home" },
    }),
  );
  check(handed.data.lead.practitioner_id === nia.data.id, "the new worker should lead the case");
  const lenaDelta = await expectStatus("Lena syncs again", 200, staff.lead.GET("/api/v1/me/changes", { params: { query: { since: lenaCursor } } }));
  check(
    lenaDelta.data.removed.some((r) => r.type === "episode" && r.id === secondId),
    `Lena's delta should remove the handed-over episode; it removes [${lenaDelta.data.removed.map((r) => `${r.type} ${r.id}`).join(", ")}]`,
  );
  const lenaCaseload = await expectStatus("Lena's caseload", 200, staff.lead.GET("/api/v1/me/caseload", { params: { query: { limit: 200 } } }));
  check(!lenaCaseload.data.items.some((c) => c.episode_id === secondId), "the handed-over case should leave Lena's caseload");
  const kept = present(lenaCaseload.data.items.find((c) => c.episode_id === episodeId), "the first case on Lena's caseload");
  check(kept.family_reference === family.reference && kept.children.length === 1, "the caseload row should name the family and its child");
  done(
    "sync with a removal (the lead is changed)",
    `delta removes ${lenaDelta.data.removed.length} record(s) incl. episode ${secondId.slice(0, 8)}; caseload keeps ${kept.family_reference} (${kept.stage})`,
  );

  // === paging =========================================================================================
  section("paging: through the caseload by next_cursor, through the directory by the Link header");
  const caseloadIds: string[] = [];
  let caseloadCursor: string | null = null;
  let caseloadPages = 0;
  do {
    const page: Awaited<ReturnType<typeof caseloadPage>> = await caseloadPage(staff.lead, caseloadCursor);
    caseloadIds.push(...page.items.map((c) => c.episode_id));
    caseloadCursor = page.next_cursor;
    caseloadPages += 1;
  } while (caseloadCursor !== null && caseloadPages < 100);
  check(caseloadCursor === null, "the caseload's pages should end");
  check(new Set(caseloadIds).size === caseloadIds.length, "no case should appear on two pages");
  check(caseloadIds.length === lenaCaseload.data.items.length, `paging 2 at a time should find the ${lenaCaseload.data.items.length} cases one page shows, found ${caseloadIds.length}`);
  const directory: string[] = [];
  let linkCursor: string | null = null;
  let directoryPages = 0;
  do {
    const page = await expectStatus(
      "a page of the directory",
      200,
      staff.admin.GET("/api/v1/practitioners", { params: { query: { limit: 5, ...(linkCursor === null ? {} : { cursor: linkCursor }) } } }),
    );
    directory.push(...page.data.items.map((p) => p.id));
    linkCursor = nextCursorFromLink(page.response);
    check((linkCursor === null) === (page.data.next_cursor === null), "the Link header and next_cursor should agree");
    directoryPages += 1;
  } while (linkCursor !== null && directoryPages < 100);
  check(directory.includes(nia.data.id), "the directory's pages should include the new worker");
  check(new Set(directory).size === directory.length, "no practitioner should appear on two pages");
  done("paging", `caseload ${caseloadIds.length} case(s) in ${caseloadPages} page(s) of 2; directory ${directory.length} in ${directoryPages} page(s) of 5 by Link`);

  // === the link worker ================================================================================
  section("the link worker: their hub's timeliness, read-only");
  const linkMe = present(profiles.get("link"), "the link worker's profile");
  const overdue = await expectStatus("the overdue list", 200, staff.link.GET("/api/v1/timeliness/overdue", { params: { query: { limit: 200 } } }));
  const linkHubs = new Set(linkMe.hubs.map((h) => h.id));
  check(overdue.data.items.every((i) => linkHubs.has(i.hub_id)), "the link worker should see only their hubs");
  const summary = await expectStatus("the timeliness summary", 200, staff.link.GET("/api/v1/timeliness/summary"));
  const hubEpisodes = await expectStatus(
    "the hub's open episodes",
    200,
    staff.link.GET("/api/v1/episodes", { params: { query: { hub_id: family.hub_id, open_only: true, limit: 200 } } }),
  );
  check(hubEpisodes.data.items.some((e) => e.id === episodeId), "the hub's episodes should include the first case");
  const linkCase = await expectVersioned(
    "the link worker opens the case",
    200,
    staff.link.GET("/api/v1/episodes/{episode_id}/case", { params: { path: { episode_id: episodeId } } }),
  );
  const linkWorklist = await expectStatus("the link worker's worklist", 200, staff.link.GET("/api/v1/me/worklist"));
  const readOnly = await expectProblem(
    "the link worker tries to close the case",
    403,
    staff.link.POST("/api/v1/episodes/{episode_id}/closure", {
      params: { path: { episode_id: episodeId }, header: ifMatch(etagFromVersion(linkCase.data.episode.version)) },
      body: { reason: "other" },
    }),
  );
  done(
    "link worker",
    `${linkMe.hubs.map((h) => h.code).join("+")}: ${overdue.data.items.length} overdue/due soon, ${hubEpisodes.data.items.length} open episode(s),` +
      ` summary of ${JSON.stringify(summary.data).length} bytes; worklist ${linkWorklist.data.items.length}; write refused ${readOnly.status} ${readOnly.code}`,
  );

  // === the manager ====================================================================================
  section("the manager: who looked at the family, security events, timeliness");
  const log = await expectStatus(
    "the family's access log",
    200,
    staff.manager.GET("/api/v1/families/{family_id}/access-log", { params: { path: { family_id: family.id }, query: { limit: 200 } } }),
  );
  check(log.data.items.some((e) => e.actor_name === lena.name), "the access log should show the lead");
  check(log.data.items.some((e) => e.outcome === "denied"), "the access log should show the link worker's refused write");
  const from = addDays(on, -30);
  const events = await expectStatus("security events", 200, staff.manager.GET("/api/v1/reports/security-events", { params: { query: { from, to: on } } }));
  const eventsCsv = await expectStatus(
    "security events as CSV",
    200,
    staff.manager.GET("/api/v1/reports/security-events", { params: { query: { from, to: on } }, headers: { Accept: "text/csv" }, parseAs: "text" }),
  );
  check(events.data.items.some((e) => e.event === "grant_role"), "registering the new worker should show as a role change");
  check(eventsCsv.data.split("\r\n").length >= events.data.items.length, "the CSV should have a row per event");
  const managerSummary = await expectStatus("the council's timeliness", 200, staff.manager.GET("/api/v1/timeliness/summary", { params: { query: { hub_id: family.hub_id } } }));
  done("manager", `access log ${log.data.items.length} entries; ${events.data.items.length} security event(s) (CSV ${eventsCsv.data.length} bytes); hub summary ${JSON.stringify(managerSummary.data).length} bytes`);

  // === the admin's policies ==========================================================================
  section("the admin: timeliness and Supporting Families policy");
  const policies = await expectStatus("timeliness policy versions", 200, staff.admin.GET("/api/v1/admin/timeliness-policy"));
  const framework = await expectStatus("the Supporting Families framework", 200, staff.admin.GET("/api/v1/admin/supporting-families/framework"));
  const sfPolicy = await expectStatus("the Supporting Families policy", 200, staff.admin.GET("/api/v1/admin/supporting-families/policy"));
  // An admin sees no case data: not even whether the family exists (404, as for an unknown id).
  const noCase = await expectProblem(
    "the admin tries to read the family",
    404,
    staff.admin.GET("/api/v1/families/{family_id}", { params: { path: { family_id: family.id } } }),
  );
  done(
    "admin",
    `${policies.data.versions.length} timeliness polic(ies) (in force: version ${policies.data.in_force_version}), framework ${JSON.stringify(framework.data).length} bytes, SF policy ${JSON.stringify(sfPolicy.data).length} bytes; case data refused ${noCase.status}`,
  );

  // === reports: JSON and CSV ==========================================================================
  section("reports: the same report as JSON (its model) and as CSV (text)");
  const quarterEnd = lastQuarterEnd(on);
  const progress = await expectStatus("quarterly progress", 200, staff.reporting.GET("/api/v1/reports/quarterly-progress", { params: { query: { quarter_end: quarterEnd } } }));
  const progressCsv = await expectStatus(
    "quarterly progress as CSV",
    200,
    staff.reporting.GET("/api/v1/reports/quarterly-progress", { params: { query: { quarter_end: quarterEnd } }, headers: { Accept: "text/csv" }, parseAs: "text" }),
  );
  const header = progressCsv.data.split("\r\n")[0];
  check(header === "scope,measure,dimension,group,value", `the CSV should start with its header row, not ${header ?? "nothing"}`);
  const yearAgo = addDays(on, -365);
  const measures = await expectStatus("early help measures", 200, staff.reporting.GET("/api/v1/reports/early-help-measures", { params: { query: { from: yearAgo, to: on } } }));
  const measuresCsv = await expectStatus(
    "early help measures as CSV",
    200,
    staff.reporting.GET("/api/v1/reports/early-help-measures", { params: { query: { from: yearAgo, to: on } }, headers: { Accept: "text/csv" }, parseAs: "text" }),
  );
  check(measuresCsv.data.includes("\r\n"), "the measures CSV should have rows");
  const noFamily = await expectProblem(
    "the reporting account tries to read the family",
    404,
    staff.reporting.GET("/api/v1/families/{family_id}", { params: { path: { family_id: family.id } } }),
  );
  done(
    "reports",
    `quarter to ${quarterEnd}: ${progress.data.families_attached} attached (CSV ${progressCsv.data.split("\r\n").length} lines);` +
      ` measures ${JSON.stringify(measures.data).length} bytes as JSON, ${measuresCsv.data.length} as CSV; case data refused ${noFamily.status}`,
  );

  // === the auditor ====================================================================================
  section("the auditor: Supporting Families claims");
  const periodEnd = monthEnd(on, 3);
  const claims = await expectStatus("the claims report", 200, staff.auditor.GET("/api/v1/reports/supporting-families/claims", { params: { query: { period_end: periodEnd } } }));
  const claimsCsv = await expectStatus(
    "the claims report as CSV",
    200,
    staff.auditor.GET("/api/v1/reports/supporting-families/claims", { params: { query: { period_end: periodEnd } }, headers: { Accept: "text/csv" }, parseAs: "text" }),
  );
  // The report's rows carry each family's claim: one awaiting internal audit is approved, and
  // the reporting account submits it.
  const awaiting = claims.data.families.find((f) => f.claim?.state === "internal_audit")?.claim ?? null;
  const anyClaim = present(
    awaiting ?? claims.data.families.find((f) => f.claim !== null)?.claim ?? null,
    `a claim for the period to ${periodEnd} (the demo data raises them)`,
  );
  const claim = await expectVersioned("read a claim", 200, staff.auditor.GET("/api/v1/claims/{claim_id}", { params: { path: { claim_id: anyClaim.id } } }));
  let audit = "none awaiting audit";
  if (awaiting !== null) {
    const approvedClaim = await expectVersioned(
      "the auditor approves the claim",
      200,
      staff.auditor.POST("/api/v1/claims/{claim_id}/audit", {
        params: { path: { claim_id: awaiting.id }, header: ifMatch(claim.etag) },
        body: { outcome: "approved", notes: "Evidence checked against the school record" },
      }),
    );
    const submittedClaim = await expectVersioned(
      "the reporting account submits the approved claim",
      200,
      staff.reporting.POST("/api/v1/claims/{claim_id}/submission", {
        params: { path: { claim_id: awaiting.id }, header: ifMatch(approvedClaim.etag) },
      }),
    );
    audit = `approved, then ${submittedClaim.data.state}`;
  }
  const auditorWork = await expectStatus("the auditor's worklist", 200, staff.auditor.GET("/api/v1/me/worklist"));
  done(
    "auditor",
    `period to ${periodEnd}: ${claims.data.families.length} famil(ies), CSV ${claimsCsv.data.length} bytes; claim ${anyClaim.id.slice(0, 8)} ${claim.data.state}: ${audit}; worklist ${auditorWork.data.items.length}`,
  );

  // === closing the first case ========================================================================
  section("the lead closes the first case with the family's view");
  const beforeClosing = await expectVersioned(
    "read the episode",
    200,
    staff.lead.GET("/api/v1/episodes/{episode_id}", { params: { path: { episode_id: episodeId } } }),
  );
  episodeEtag = beforeClosing.etag;
  const closed = await expectVersioned(
    "close the episode",
    200,
    staff.lead.POST("/api/v1/episodes/{episode_id}/closure", {
      params: { path: { episode_id: episodeId }, header: ifMatch(episodeEtag) },
      body: { reason: "all_needs_met", family_view: { improved: "yes", in_their_words: "Mornings are calm now" } },
    }),
  );
  expectStage(closed.data, "closed", "after closing");
  const refused = await expectProblem(
    "hold a meeting on the closed episode",
    409,
    staff.lead.POST("/api/v1/episodes/{episode_id}/meetings", {
      params: { path: { episode_id: episodeId }, header: ifMatch(closed.etag) },
      body: { held_on: on, attendee_member_ids: [], family_present: true, child_voice: "not_shared", decision: "continue" },
    }),
  );
  const sfOutcome = await expectVersioned(
    "the need was met",
    200,
    staff.lead.POST("/api/v1/episodes/{episode_id}/needs/{need_id}/outcome", {
      params: { path: { episode_id: episodeId, need_id: sfNeed.data.id }, header: ifMatch(sfNeed.etag) },
      body: { status: "achieved", on, evidence: { source: "School MIS", reference: `ATT-${runId.slice(0, 8)}-end` } },
    }),
  );
  done(
    "close the case",
    `${labelOf(journey.labels, "ClosureReason", closed.data.closure_reason ?? "other")} on ${closed.data.closed_on ?? "?"}; meeting refused ${refused.status} (${refused.detail}); need ${sfOutcome.data.outcome}`,
  );

  // === what this run proved ===========================================================================
  report(traffic, journeyRequests.length);
  await recordMeasures(journeyRequests.length, traffic.covered().size, traffic.operations.length);
  console.log(`\nthe whole cycle passed: families ${family.reference} and ${khan.data.reference}, episodes ${episodeId} and ${secondId}`);
}

function caseloadPage(api: FamilyhubClient, cursor: string | null): Promise<Schemas["CaseloadPage"]> {
  return expectStatus(
    "a page of my caseload",
    200,
    api.GET("/api/v1/me/caseload", { params: { query: { limit: 2, ...(cursor === null ? {} : { cursor }) } } }),
  ).then((ok) => ok.data);
}

/** Print the operations exercised; fail below MIN_OPERATIONS or above MAX_JOURNEY_REQUESTS. */
function report(traffic: Traffic, journeyRequests: number): void {
  section("coverage of the contract");
  const covered = traffic.covered();
  for (const op of traffic.operations) {
    const statuses = covered.get(op.operationId);
    if (statuses !== undefined) {
      console.log(`  ${op.operationId.padEnd(38)} ${op.method.padEnd(6)} ${op.path}  [${[...statuses].sort().join(", ")}]`);
    }
  }
  const missing = traffic.operations.filter((op) => !covered.has(op.operationId)).map((op) => op.operationId);
  console.log(`not exercised (${missing.length}): ${missing.join(", ")}`);
  const undescribed = traffic.undescribed();
  check(undescribed.length === 0, `requests outside the contract: ${undescribed.map((r) => `${r.method} ${r.path}`).join(", ")}`);
  console.log(`\n${covered.size} of ${traffic.operations.length} operations exercised in ${traffic.records.length} requests (at least ${MIN_OPERATIONS} needed)`);
  check(covered.size >= MIN_OPERATIONS, `only ${covered.size} operations were exercised; at least ${MIN_OPERATIONS} are needed`);
  console.log(`the journey took ${journeyRequests} requests (before: ${JOURNEY_REQUESTS_BEFORE}; at most ${MAX_JOURNEY_REQUESTS})`);
  check(journeyRequests <= MAX_JOURNEY_REQUESTS, `the journey took ${journeyRequests} requests; at most ${MAX_JOURNEY_REQUESTS} (half of ${JOURNEY_REQUESTS_BEFORE})`);
}

/** Keep the journey's count and the coverage in README.md, between its `journey-count` markers. */
async function recordMeasures(requests: number, covered: number, operations: number): Promise<void> {
  const readme = await readFile(README, "utf8");
  const start = "<!-- journey-count -->";
  const end = "<!-- /journey-count -->";
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  check(from >= 0 && to > from, `${README} should hold the ${start} ... ${end} markers`);
  const line =
    `The measured journey (src/journey.ts) takes **${requests} requests**; before one call per screen it` +
    ` took ${JOURNEY_REQUESTS_BEFORE} (${Math.round((100 * (JOURNEY_REQUESTS_BEFORE - requests)) / JOURNEY_REQUESTS_BEFORE)}% fewer).` +
    ` \`npm run cycle\` fails above ${MAX_JOURNEY_REQUESTS}.\n` +
    `The cycle exercises **${covered} of the contract's ${operations} operations**; it fails below ${MIN_OPERATIONS}.`;
  const updated = `${readme.slice(0, from + start.length)}\n${line}\n${readme.slice(to)}`;
  if (updated !== readme) {
    await writeFile(README, updated);
    console.log(`README.md: the journey's count (${requests}) or the coverage (${covered}) changed: review and commit it`);
  }
}

run().catch((err: unknown) => {
  if (err instanceof FamilyhubApiError || err instanceof FamilyhubUnreachable || err instanceof CheckFailed) {
    failed(err.message);
  } else if (err instanceof Error) {
    failed(`unexpected error: ${err.stack ?? err.message}`);
  } else {
    failed(`unexpected error: ${String(err)}`);
  }
  process.exit(1);
});
