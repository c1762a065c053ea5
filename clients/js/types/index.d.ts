// Type declarations of @presence-hub/client, written by hand for the whole public API of
// src/presence-client.js and checked by `tsc --strict` in test/types.test.mjs (test/types/usage.ts).
// The wire shapes follow docs/protocol.md (PROTOCOL v1.1): §2 records, §4 frames, §4 Liveness.

/** A user's role in a tenant. */
export type Role = 'tech' | 'client';
/** §2: online, away or offline. */
export type PresenceStatus = 'online' | 'away' | 'offline';
/** §2: why the user has that status. */
export type PresenceReason = 'active' | 'inactive' | 'preferred' | 'disconnected';

/** §2: a user's presence record, as the hub sends it (plus the client's own marks). */
export interface PresenceRecord {
  user: string;
  role: Role;
  status: PresenceStatus;
  reason: PresenceReason;
  /** Epoch ms of the last status change; null for a record the client inferred. */
  since: number | null;
  /** Epoch ms of the last activity, or null. */
  lastActiveAt: number | null;
  /** Epoch ms when a tech's preferred away ends, if set. */
  until?: number | null;
  /** True on a record the client inferred offline (missing from a roster snapshot after a resync). */
  inferred?: true;
  /** True on a copy the current session has not confirmed (see hub.stale). */
  stale?: true;
  [field: string]: unknown;
}

/** The user a session is authenticated as (welcome.user). */
export interface SessionUser {
  id: string;
  tenant: string;
  role: Role;
  name?: string;
}

/** §4: the hub's answer to auth. */
export interface WelcomeFrame {
  type: 'welcome';
  session: string;
  user: SessionUser;
  presence: PresenceRecord;
  /** ms without activity before the hub makes the user away. */
  idleTimeoutMs: number;
  /** §4 Liveness (v1.1): interval of the client's pings in ms; absent before v1.1. */
  pingIntervalMs?: number;
  [field: string]: unknown;
}

/** §4: an `ack` of a request: `delivered` for chat.push, `presence` for presence.set, `expiresAt` for a token refresh. */
export interface AckFrame {
  type: 'ack';
  id?: string | number;
  delivered?: number;
  presence?: PresenceRecord;
  expiresAt?: number;
  [field: string]: unknown;
}

/** §4: a delivery (chat.push of another user). */
export interface ChatFrame {
  type: 'chat.request' | 'chat.message';
  from: { id: string; role: Role; name?: string };
  payload: Record<string, unknown>;
  [field: string]: unknown;
}

/** Any frame the hub sends (the 'frame' event). */
export interface Frame {
  type: string;
  [field: string]: unknown;
}

/** Error codes of the hub (§4) and of the client itself. */
export type ErrorCode =
  | 'bad_request' | 'unauthorized' | 'forbidden' | 'not_reachable' | 'rate_limited' | 'too_large'
  | 'timeout' | 'disconnected' | 'closed' | 'token' | 'sockjs'
  | (string & {});

/** An `error` frame of the hub, or a failure of the client (code timeout, disconnected, closed, token, sockjs). */
export class PresenceError extends Error {
  constructor(frame: { type?: string; code: string; message?: string; [field: string]: unknown });
  name: 'PresenceError';
  code: ErrorCode;
  /** not_reachable: the target's status. */
  status?: PresenceStatus;
  /** forbidden: the user ids refused. */
  users?: string[];
  /** The error frame itself. */
  frame: Frame & { code: string; message?: string };
  cause?: unknown;
}

/** The 'status' event. */
export interface StatusEvent {
  status: 'connecting' | 'open' | 'closed';
  stale: boolean;
  /** Close code of the session that ended (4401, 4408, 4503, 4000 for a dead link, …). */
  code?: number | null;
  reason?: string | null;
  /** ms until the next connection attempt. */
  retryInMs?: number;
  /** True when the client stopped for good (close(), or repeated 4401). */
  final?: boolean;
}

/** The 'sync' event: a subscription's snapshot was applied (see docs/presence-client.md, Resync). */
export interface SyncEvent {
  roster?: Role;
  users?: string[];
  /** The subscription's whole view after the snapshot. */
  records: PresenceRecord[];
  /** Users just inferred offline. */
  offline: string[];
  /** Users who left the view. */
  removed?: string[];
  stale: boolean;
  /** Set when the hub refused the subscription. */
  error?: PresenceError;
}

export interface PresenceEvents {
  welcome: WelcomeFrame;
  presence: PresenceRecord;
  sync: SyncEvent;
  'chat.request': ChatFrame;
  'chat.message': ChatFrame;
  status: StatusEvent;
  error: PresenceError;
  refresh: { expiresAt: number };
  frame: Frame;
}

/** A clock (tests pass a manual one). */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A SockJS constructor (sockjs-client's, or a double). */
export type SockJSConstructor = new (url: string, reserved?: null, options?: Record<string, unknown>) => {
  readyState: number;
  onopen: ((e?: unknown) => void) | null;
  onmessage: ((e: { data: string }) => void) | null;
  onclose: ((e: { code: number; reason: string }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
};

/** The tunables of the client, with their defaults in timing.DEFAULTS. */
export interface Tunables {
  platform: string;
  /** Back-off after a failed connection: full jitter in [0, min(backoffMaxMs, backoffBaseMs × 2^attempt)). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** After 4503: reconnect at once, spread over this window (ms). */
  drainSpreadMs: number;
  /** 4401 closes tolerated in a row before giving up. */
  authRetries: number;
  /** Wait before retrying after a 4401: in [authRetryMs, 2 × authRetryMs). */
  authRetryMs: number;
  /** Requests fail after this long without an answer (ms). */
  requestTimeoutMs: number;
  /** Users per subscribe frame when re-subscribing. */
  maxUsersPerSubscribe: number;
  /** Listen to the page's input and visibility events. */
  trackActivity: boolean;
  /** null: the welcome's pingIntervalMs; a number overrides it; 0: no pings. */
  pingIntervalMs: number | null;
}

export interface ConnectOptions extends Partial<Tunables> {
  /** The SockJS endpoint ('/presence', 'https://hub.example.com/presence'), or a list of nodes tried in turn. */
  url: string | string[];
  /** A JWT, or a function returning one (or a promise of one), called at every (re)connect and before expiry. */
  token: string | (() => string | Promise<string>);
  /** sockjs-client's constructor (default: window.SockJS, the package's sockjs-client, or the hub's WebJar). */
  SockJS?: SockJSConstructor;
  /** Options passed to the SockJS constructor (transports, …). */
  sockjs?: Record<string, unknown>;
  /** Where to load sockjs-client from in a page without one (default: the hub's WebJar). */
  sockjsUrl?: string;
  clock?: Clock;
  /** Random numbers in [0, 1) for the jitters (default Math.random). */
  random?: () => number;
  /** The page to watch for activity (default: the global document and window; null: none). */
  document?: unknown;
  window?: unknown;
}

/** A connection to the hub; it reconnects by itself until close(). */
export interface PresenceHub {
  on<E extends keyof PresenceEvents>(event: E, fn: (value: PresenceEvents[E]) => void): () => void;
  off<E extends keyof PresenceEvents>(event: E, fn: (value: PresenceEvents[E]) => void): void;
  readonly status: 'connecting' | 'open' | 'closed';
  /** The current session's welcome, or null. */
  readonly welcome: WelcomeFrame | null;
  /** True while the view may not match the hub. */
  readonly stale: boolean;
  /** The latest record of a watched user, or undefined. */
  record(user: string): PresenceRecord | undefined;
  /** The view of a watched roster ([] when not watched). */
  roster(role: Role): PresenceRecord[];
  /** The whole view. */
  records(): PresenceRecord[];
  /** Watches users (kept across reconnects); resolves with their records. */
  subscribe(users: string[]): Promise<PresenceRecord[]>;
  /** Watches every user of a role (kept across reconnects); resolves with the snapshot. */
  subscribeRoster(role: Role): Promise<PresenceRecord[]>;
  unsubscribe(users: string[]): Promise<void>;
  unsubscribeRoster(role: Role): Promise<void>;
  /** One-off: the users' current records (no 'presence' events). */
  query(users: string[]): Promise<PresenceRecord[]>;
  /** Techs: 'away' (optionally until an epoch ms or Date) or 'online'; resolves with the ack ({presence}). */
  setPresence(status: 'away' | 'online', options?: { until?: number | Date | null }): Promise<AckFrame>;
  /** Delivers to every session of `to`; resolves with the ack ({delivered}), rejects with a PresenceError. */
  pushChat(to: string, kind?: 'chat.request' | 'chat.message', payload?: Record<string, unknown>): Promise<AckFrame>;
  /** Reports activity from outside the page's events. */
  activity(): void;
  /** Starts again after the client gave up. */
  reconnect(): void;
  /** Sends bye (offline at once) and stops for good. */
  close(): void;
}

/** Opens a hub connection; listeners added right away see every event. */
export function connect(options: ConnectOptions): PresenceHub;

/** The activity throttle of timing.createActivityThrottle. */
export interface ActivityThrottle {
  setInterval(ms: number): void;
  interval(): number;
  opened(now: number): void;
  input(now: number): { send: true } | { send: false; flushAt: number };
  flush(now: number): { idleMs: number } | null;
  /** True while input swallowed by the throttle waits for flush(). */
  pending(): boolean;
}

export interface ReconnectState {
  attempt: number;
  authFailures: number;
}

export type ReconnectPlan =
  | { stop: true; state: ReconnectState }
  | { stop?: false; delayMs: number; nextNode: boolean; state: ReconnectState };

/** The pure timing rules (docs/presence-client.md, Testing). */
export const timing: {
  createActivityThrottle(intervalMs: number): ActivityThrottle;
  backoffDelay(attempt: number, options: Pick<Tunables, 'backoffBaseMs' | 'backoffMaxMs'>, random: () => number): number;
  reconnectPlan(code: number | null, state: ReconnectState, options: Tunables, random: () => number): ReconnectPlan;
  refreshDelay(expiresAtMs: number, nowMs: number): number;
  tokenExpiry(token: unknown): number | null;
  readonly DEFAULTS: Readonly<Tunables>;
};

declare const PresenceClient: {
  connect: typeof connect;
  PresenceError: typeof PresenceError;
  timing: typeof timing;
};
export default PresenceClient;
