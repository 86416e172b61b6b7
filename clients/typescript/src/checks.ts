/** What src/cycle.ts and src/journey.ts check with, and how they report each step. */
import type { FamilyhubClient, Schemas } from "./client.js";
import { expectStatus } from "./client.js";

export type EpisodeRead = Schemas["EpisodeRead"];
export type EpisodeStage = Schemas["EpisodeStage"];
export type DeadlineKind = Schemas["DeadlineKind"];

export class CheckFailed extends Error {
  override readonly name = "CheckFailed";
}

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new CheckFailed(message);
  }
}

/** The value, or a failed check naming what was missing (no non-null assertions). */
export function present<T>(value: T | null | undefined, what: string): T {
  check(value !== null && value !== undefined, `${what} is missing`);
  return value;
}

export function env(name: string, fallback?: string): string {
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

/** Print `ok NN  what: detail` for a step that passed. */
export function done(what: string, detail = ""): void {
  stepNumber += 1;
  const n = String(stepNumber).padStart(3, " ");
  console.log(`ok ${n}  ${what}${detail === "" ? "" : `: ${detail}`}`);
}

/** Print `not ok NN  message` for the step that failed. */
export function failed(message: string): void {
  stepNumber += 1;
  console.error(`not ok ${String(stepNumber).padStart(3, " ")}  ${message}`);
}

export function section(title: string): void {
  console.log(`\n# ${title}`);
}

export function expectStage(episode: EpisodeRead, stage: EpisodeStage, when: string): void {
  check(
    episode.stage === stage,
    `${when}: the episode should be at stage "${stage}", it is at "${episode.stage}"`,
  );
}

export function expectDeadlines(episode: EpisodeRead, kinds: DeadlineKind[], when: string): void {
  const shown = episode.deadlines.map((d) => d.kind);
  const missing = kinds.filter((k) => !shown.includes(k));
  check(
    missing.length === 0,
    `${when}: the episode should show deadlines [${kinds.join(", ")}]; missing [${missing.join(", ")}]` +
      ` (it shows [${shown.join(", ")}])`,
  );
}

export function describeDeadlines(episode: EpisodeRead): string {
  return episode.deadlines
    .map((d) => `${d.kind} ${d.status}${d.met_on === null ? ` due ${d.due_on}` : ""}`)
    .join(", ");
}

/** "Today" as the service sees it: the date in FAMILYHUB_TIMEZONE (Europe/London by default). */
export function today(timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date());
}

/** `day` plus `days` (YYYY-MM-DD, calendar days). */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The year and month (1-12) of a YYYY-MM-DD date. */
function yearMonth(day: string): { year: number; month: number } {
  const match = /^(\d{4})-(\d{2})-\d{2}$/.exec(day);
  check(match !== null, `${day} is not a YYYY-MM-DD date`);
  return { year: Number(match[1]), month: Number(match[2]) };
}

/** The last day of the latest quarter that has ended by `day` (YYYY-MM-DD). */
export function lastQuarterEnd(day: string): string {
  const { year, month } = yearMonth(day);
  const quarter = Math.floor((month - 1) / 3);
  const ends = ["12-31", "03-31", "06-30", "09-30"] as const;
  return `${quarter === 0 ? year - 1 : year}-${ends[quarter] ?? "12-31"}`;
}

/** The last day of the month `monthsBack` months before the month of `day`. */
export function monthEnd(day: string, monthsBack: number): string {
  const { year, month } = yearMonth(day);
  // Date.UTC counts months from 0, so day 0 of (0-based) month m is the last day of the
  // 1-based month m: December 2026 (12), 3 back, is Date.UTC(2026, 9, 0) = 30 September.
  const end = new Date(Date.UTC(year, month - monthsBack, 0));
  return end.toISOString().slice(0, 10);
}

/** The `cursor` of a `Link: <...?cursor=...>; rel="next"` header, or null on the last page. */
export function nextCursorFromLink(response: Response): string | null {
  const link = response.headers.get("Link");
  if (link === null) {
    return null;
  }
  const next = link.split(",").find((part) => /;\s*rel="?next"?/.test(part));
  const target = next?.match(/<([^>]+)>/)?.[1];
  if (target === undefined) {
    return null;
  }
  return new URL(target, "http://link.invalid").searchParams.get("cursor");
}

export async function findPractitioner(
  api: FamilyhubClient,
  name: string,
): Promise<Schemas["PractitionerRead"]> {
  const found = await expectStatus(
    `look up practitioner "${name}"`,
    200,
    api.GET("/api/v1/practitioners", { params: { query: { name } } }),
  );
  return present(found.data.items[0], `a practitioner named "${name}"`);
}
