// Uses the whole declared API the way a portal would; `tsc --strict --noEmit` must accept it, and
// every @ts-expect-error line must really be an error (else tsc fails with "unused directive"),
// which shows the declarations are not `any`.
import PresenceClient, {
  connect, PresenceError, timing,
  type ConnectOptions, type PresenceHub, type PresenceRecord, type StatusEvent, type SyncEvent, type WelcomeFrame,
} from '@presence-hub/client';

const options: ConnectOptions = {
  url: ['https://a.example.com/presence', 'https://b.example.com/presence'],
  token: async () => 'jwt',
  platform: 'web',
  pingIntervalMs: null,
  requestTimeoutMs: 5_000,
  trackActivity: false,
};
const hub: PresenceHub = connect(options);
const alsoHub: PresenceHub = PresenceClient.connect({ url: '/presence', token: 'jwt' });

const stop: () => void = hub.on('presence', (r: PresenceRecord) => {
  const status: 'online' | 'away' | 'offline' = r.status;
  const since: number | null = r.since;
  void status; void since;
});
hub.on('welcome', (w: WelcomeFrame) => { const interval: number | undefined = w.pingIntervalMs; void interval; void w.user.tenant; });
hub.on('sync', (s: SyncEvent) => { const offline: string[] = s.offline; void offline; void s.error?.code; });
hub.on('status', (s: StatusEvent) => { if (s.status === 'closed' && s.final) { hub.reconnect(); } });
hub.on('error', (e) => { const isError: PresenceError = e; void isError.frame; });
hub.on('chat.request', (f) => { void f.from.id; void f.payload; });
hub.on('refresh', ({ expiresAt }) => { const at: number = expiresAt; void at; });
stop();

async function flow(): Promise<void> {
  const records: PresenceRecord[] = await hub.subscribe(['u1', 'u2']);
  await hub.subscribeRoster('client');
  const view: PresenceRecord[] = hub.roster('client');
  const one: PresenceRecord | undefined = hub.record('u1');
  const all: PresenceRecord[] = hub.records();
  const queried = await hub.query(['u3']);
  const ack = await hub.setPresence('away', { until: new Date() });
  const delivered: number | undefined = (await hub.pushChat('u2', 'chat.request', { text: 'hi' })).delivered;
  await hub.unsubscribe(['u1']);
  await hub.unsubscribeRoster('client');
  hub.activity();
  const stale: boolean = hub.stale;
  void records; void view; void one; void all; void queried; void ack.presence; void delivered; void stale;
  try {
    await hub.pushChat('nobody');
  } catch (e) {
    if (e instanceof PresenceError && e.code === 'not_reachable') {
      const status: 'online' | 'away' | 'offline' | undefined = e.status;
      void status;
    }
  }
  hub.close();
  alsoHub.close();
}
void flow;

const throttle = timing.createActivityThrottle(1000);
const decision = throttle.input(Date.now());
if (!decision.send) { const at: number = decision.flushAt; void at; }
const plan = timing.reconnectPlan(4503, { attempt: 0, authFailures: 0 }, timing.DEFAULTS, Math.random);
if (!plan.stop) { const next: boolean = plan.nextNode; void next; }
const delay: number = timing.backoffDelay(3, timing.DEFAULTS, Math.random) + timing.refreshDelay(Date.now() + 60_000, Date.now());
const exp: number | null = timing.tokenExpiry('a.b.c');
void delay; void exp;

// @ts-expect-error url is required
connect({ token: 'jwt' });
// @ts-expect-error a roster is 'tech' or 'client'
hub.subscribeRoster('admin');
// @ts-expect-error presence.set takes 'away' or 'online'
hub.setPresence('offline');
// @ts-expect-error no such event
hub.on('presences', () => {});
// @ts-expect-error users are strings
hub.subscribe([1, 2]);
