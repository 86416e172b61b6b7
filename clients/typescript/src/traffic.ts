/**
 * What the front end asked of the API: every request the clients made, which operation of the
 * contract it was (matched by method and path against `openapi/openapi.json`), and its status.
 *
 *   const traffic = new Traffic(await loadOperations(contractPath));
 *   const lead = createFamilyhubClient({ baseUrl, token, fetch: traffic.fetchAs("lead") });
 *   const mark = traffic.mark();  ...  traffic.since(mark).length   // requests of one journey
 *   traffic.covered()                                             // operationIds exercised
 */
import { readFile } from "node:fs/promises";

/** One operation of the contract: `GET /api/v1/me` is `getMe`. */
export interface Operation {
  operationId: string;
  method: string;
  path: string;
  /** Matches a concrete path (`/api/v1/episodes/3fa8...`) to this operation's template. */
  pattern: RegExp;
  /** Path parameters: a path with fewer is tried first (`/families/duplicate-check` before
   * `/families/{family_id}`). */
  parameters: number;
}

/** One request as the server answered it. */
export interface RequestRecord {
  /** Which signed-in user made it ("lead", "qa" ...). */
  who: string;
  method: string;
  path: string;
  status: number;
  /** The contract's operationId, or null for a request the contract does not describe. */
  operationId: string | null;
}

const METHODS = ["get", "put", "post", "patch", "delete"] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Every operation of the contract at `contractPath` (openapi/openapi.json), in its order. */
export async function loadOperations(contractPath: string): Promise<Operation[]> {
  const document: unknown = JSON.parse(await readFile(contractPath, "utf8"));
  const paths = isRecord(document) ? document["paths"] : undefined;
  if (!isRecord(paths)) {
    throw new Error(`${contractPath} has no paths`);
  }
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isRecord(item)) {
      continue;
    }
    for (const method of METHODS) {
      const operation = item[method];
      if (!isRecord(operation) || typeof operation["operationId"] !== "string") {
        continue;
      }
      const segments = path.split(/(\{[^}]+\})/);
      const source = segments
        .map((segment) => (segment.startsWith("{") ? "[^/]+" : escapeRegExp(segment)))
        .join("");
      operations.push({
        operationId: operation["operationId"],
        method: method.toUpperCase(),
        path,
        pattern: new RegExp(`^${source}$`),
        parameters: segments.filter((segment) => segment.startsWith("{")).length,
      });
    }
  }
  return operations;
}

/** Records every request the clients it instruments make. */
export class Traffic {
  readonly records: RequestRecord[] = [];
  private readonly matchOrder: readonly Operation[];

  constructor(readonly operations: readonly Operation[]) {
    this.matchOrder = [...operations].sort((a, b) => a.parameters - b.parameters);
  }

  /** The operation of the contract a request was, by method and path. */
  operationOf(method: string, path: string): Operation | null {
    return this.matchOrder.find((op) => op.method === method && op.pattern.test(path)) ?? null;
  }

  /** A `fetch` for `createFamilyhubClient` that records each request as made by `who`. */
  fetchAs(who: string): (input: Request) => Promise<Response> {
    return async (input: Request): Promise<Response> => {
      const response = await fetch(input);
      const path = new URL(input.url).pathname;
      this.records.push({
        who,
        method: input.method,
        path,
        status: response.status,
        operationId: this.operationOf(input.method, path)?.operationId ?? null,
      });
      return response;
    };
  }

  /** A position in the record, to count the requests of one journey with `since`. */
  mark(): number {
    return this.records.length;
  }

  since(mark: number): RequestRecord[] {
    return this.records.slice(mark);
  }

  /** Each operation exercised, with the statuses it answered. */
  covered(): Map<string, Set<number>> {
    const seen = new Map<string, Set<number>>();
    for (const record of this.records) {
      if (record.operationId === null) {
        continue;
      }
      const statuses = seen.get(record.operationId) ?? new Set<number>();
      statuses.add(record.status);
      seen.set(record.operationId, statuses);
    }
    return seen;
  }

  /** Requests the contract does not describe (a client calling a path that is not in it). */
  undescribed(): RequestRecord[] {
    return this.records.filter((r) => r.operationId === null);
  }
}
