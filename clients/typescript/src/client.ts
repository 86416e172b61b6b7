/**
 * A small typed wrapper over openapi-fetch for the familyhub API.
 *
 * Every path, parameter, request body and response body comes from `schema.d.ts`, generated
 * from `openapi/openapi.json` (`npm run generate`), so a contract change that breaks a caller
 * fails `npm run typecheck`.
 *
 *   const api = createFamilyhubClient({ baseUrl: "http://127.0.0.1:8000", token });
 *   const started = await expectStatus("start assessment", 200,
 *     api.POST("/api/v1/episodes/{episode_id}/assessment-start", {
 *       params: { path: { episode_id }, header: ifMatch(etag) },
 *     }));
 *   started.data.episode.stage;   // typed: components["schemas"]["EpisodeStage"]
 *   started.etag;                 // the episode's new ETag, for the next step
 *
 * Errors are thrown as `FamilyhubApiError`, carrying the RFC 9457 problem (`Problem`) the API sent.
 */
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths } from "./schema.js";

/** Every named schema of the contract: `Schemas["EpisodeRead"]`, `Schemas["DeadlineKind"]` ... */
export type Schemas = components["schemas"];

/** RFC 9457 problem details, as every error response carries them. */
export type Problem = Schemas["Problem"];

/** One failing field of a problem (`members[0].person.date_of_birth`). */
export type FieldError = Schemas["FieldError"];

/**
 * The media types the client reads: bodies as application/json, errors as
 * application/problem+json. Both are named so that openapi-fetch types `error` as the problem the
 * operation declares (a 412's `current` typed per resource), not as the content map.
 */
type Media = "application/json" | "application/problem+json";

/** The typed client: `api.GET(path, init)`, `api.POST(...)`, `api.PATCH(...)`. */
export type FamilyhubClient = Client<paths, Media>;

/** An entity tag as the API sends it (`"3"`, quotes included): what `If-Match` needs. */
export type ETag = string & { readonly __brand: "ETag" };

export interface FamilyhubClientOptions {
  /** Where the service runs, without `/api/v1`: `http://127.0.0.1:8000`. */
  baseUrl: string;
  /** A bearer token (locally: `familyhub token --user <email>`). */
  token: string;
  /** A fetch to use instead of the global one (tests, instrumentation). */
  fetch?: (input: Request) => Promise<Response>;
}

/** A client that signs every request with the given bearer token. */
export function createFamilyhubClient(options: FamilyhubClientOptions): FamilyhubClient {
  return createClient<paths, Media>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    headers: {
      Authorization: `Bearer ${options.token}`,
      Accept: "application/json, application/problem+json",
    },
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
}

// --- errors ----------------------------------------------------------------------------------

/** True when `value` has the shape of the contract's `Problem` schema. */
export function isProblem(value: unknown): value is Problem {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  return (
    "type" in value &&
    typeof value.type === "string" &&
    "title" in value &&
    typeof value.title === "string" &&
    "status" in value &&
    typeof value.status === "number" &&
    "detail" in value &&
    typeof value.detail === "string" &&
    "code" in value &&
    typeof value.code === "string" &&
    "errors" in value &&
    Array.isArray(value.errors)
  );
}

/** A response that was not what the caller expected, with the problem the API explained it by. */
export class FamilyhubApiError extends Error {
  override readonly name = "FamilyhubApiError";

  constructor(
    /** What the caller was doing ("open the episode"). */
    readonly operation: string,
    /** The HTTP status received. */
    readonly status: number,
    /** The problem+json body, when the API sent one. */
    readonly problem: Problem | null,
    /** The X-Request-ID of the response: quote it when reporting a problem. */
    readonly requestId: string | null,
    /** Why the response was refused, when it was not an error status (a 200 where 201 was due). */
    reason?: string,
  ) {
    super(FamilyhubApiError.describe(operation, status, problem, requestId, reason));
  }

  /** The stable code of the rule that refused the request (`postcode_format`, `not_found` ...; docs/errors.md), if any. */
  get code(): string | null {
    return this.problem?.code ?? null;
  }

  /** The failing fields named by the problem. */
  get fieldErrors(): FieldError[] {
    return this.problem?.errors ?? [];
  }

  private static describe(
    operation: string,
    status: number,
    problem: Problem | null,
    requestId: string | null,
    reason?: string,
  ): string {
    const parts = [`${operation}: HTTP ${status}`];
    if (reason !== undefined) {
      parts.push(reason);
    }
    if (problem !== null) {
      parts.push(`${problem.code}: ${problem.detail}`);
      for (const field of problem.errors ?? []) {
        parts.push(`  ${field.field}: ${field.message}`);
      }
    }
    if (requestId !== null) {
      parts.push(`(request id ${requestId})`);
    }
    return parts.join(" — ");
  }
}

/** The request never got an answer (server down, wrong base URL, network error). */
export class FamilyhubUnreachable extends Error {
  override readonly name = "FamilyhubUnreachable";

  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    super(`${operation}: no answer from the API (${FamilyhubUnreachable.reason(cause)})`, { cause });
  }

  private static reason(cause: unknown): string {
    if (cause instanceof Error) {
      const inner: unknown = cause.cause;
      if (inner instanceof Error && inner.message !== "") {
        return `${cause.message}: ${inner.message}`;
      }
      return cause.message;
    }
    return String(cause);
  }
}

// --- responses -------------------------------------------------------------------------------

/** What openapi-fetch resolves to: a typed body on success, a typed error body otherwise. */
interface FetchResult<T, E> {
  data?: T;
  error?: E;
  response: Response;
}

/** Await the call, turning a network failure into `FamilyhubUnreachable`. */
async function settle<T, E>(operation: string, pending: Promise<FetchResult<T, E>>): Promise<FetchResult<T, E>> {
  try {
    return await pending;
  } catch (err: unknown) {
    throw new FamilyhubUnreachable(operation, err);
  }
}

/** A successful response: its typed body, status and (for versioned resources) ETag. */
export interface Ok<T> {
  data: T;
  status: number;
  /** The `ETag` header, or null when the response has none (lists, reference data). */
  etag: ETag | null;
  response: Response;
}

/** A successful response to a request on a versioned resource: its ETag is always present. */
export interface Versioned<T> extends Ok<T> {
  etag: ETag;
}

/**
 * Await an openapi-fetch call and insist on one exact status (200, 201 ...).
 * Anything else throws `FamilyhubApiError` with the problem the API sent.
 */
export async function expectStatus<T, E>(
  operation: string,
  status: number,
  pending: Promise<FetchResult<T, E>>,
): Promise<Ok<T>> {
  const { data, error, response } = await settle(operation, pending);
  const requestId = response.headers.get("X-Request-ID");
  if (!response.ok || data === undefined) {
    throw new FamilyhubApiError(
      operation,
      response.status,
      isProblem(error) ? error : null,
      requestId,
      response.ok ? "the response had no body" : undefined,
    );
  }
  if (response.status !== status) {
    throw new FamilyhubApiError(
      operation,
      response.status,
      null,
      requestId,
      `expected HTTP ${status}`,
    );
  }
  return { data, status: response.status, etag: readEtag(response), response };
}

/** As `expectStatus`, and the response must carry an `ETag` (any single-resource read or write). */
export async function expectVersioned<T, E>(
  operation: string,
  status: number,
  pending: Promise<FetchResult<T, E>>,
): Promise<Versioned<T>> {
  const ok = await expectStatus(operation, status, pending);
  if (ok.etag === null) {
    throw new FamilyhubApiError(
      operation,
      ok.status,
      null,
      ok.response.headers.get("X-Request-ID"),
      "the response has no ETag",
    );
  }
  return { ...ok, etag: ok.etag };
}

/**
 * Await a call that must fail with this status and return the problem it carries, typed as the
 * operation's contract declares its problems (for checking refusals: 409 for an illegal step,
 * 412 for a stale ETag, whose `current` is the resource's read model; narrow with
 * `"current" in problem`).
 */
export async function expectProblem<T, E>(
  operation: string,
  status: number,
  pending: Promise<FetchResult<T, E>>,
): Promise<E & Problem> {
  const { error, response } = await settle(operation, pending);
  const requestId = response.headers.get("X-Request-ID");
  if (response.status !== status || !isProblem(error)) {
    throw new FamilyhubApiError(
      operation,
      response.status,
      isProblem(error) ? error : null,
      requestId,
      `expected HTTP ${status} with a problem+json body`,
    );
  }
  return error;
}

/**
 * Await a conditional GET (sent with `ifNoneMatch(etag)`) and return true when the API answered
 * 304 Not Modified (the copy in hand is current), false with the new body otherwise.
 */
export async function expectNotModifiedOrOk<T, E>(
  operation: string,
  pending: Promise<FetchResult<T, E>>,
): Promise<{ notModified: true } | ({ notModified: false } & Ok<T>)> {
  const result = await settle(operation, pending);
  if (result.response.status === 304) {
    return { notModified: true };
  }
  const ok = await expectStatus(operation, 200, Promise.resolve(result));
  return { notModified: false, ...ok };
}

// --- optimistic concurrency and idempotency --------------------------------------------------

/** The response's `ETag` header, if it has one. */
export function readEtag(response: Response): ETag | null {
  const value = response.headers.get("ETag");
  return value === null || value === "" ? null : (value as ETag);
}

/**
 * The ETag of a resource that came back inside another resource's response
 * (the assessment in `EpisodeWithAssessment` carries only its `version`; the ETag header is the
 * episode's). The API's convention is `ETag: "<version>"`.
 */
export function etagFromVersion(version: number): ETag {
  return `"${version}"` as ETag;
}

/** The `If-Match` header parameter for an update: pass as `params.header`. */
export function ifMatch(etag: ETag): { "If-Match": string } {
  return { "If-Match": etag };
}

/** The `If-None-Match` header parameter for a conditional GET: pass as `params.header`. */
export function ifNoneMatch(etag: ETag): { "If-None-Match": string } {
  return { "If-None-Match": etag };
}

/** A fresh `Idempotency-Key` for a create: reuse the same one when retrying the same request. */
export function newIdempotencyKey(prefix = "ts"): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

/** True when the API answered a create from its idempotency store (a replay of the first answer). */
export function wasReplayed(response: Response): boolean {
  return response.headers.get("Idempotent-Replayed") === "true";
}
