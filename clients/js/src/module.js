// Entry of the standalone ES module the hub serves at /presence-client.mjs (no bare imports, so a
// page can import it straight from the hub, cross-origin too); sockjs-client is loaded from the
// hub's WebJar on first use.
import { PresenceError, connect, timing } from './presence-client.js';

export { PresenceError, connect, timing };
export default { connect, PresenceError, timing };
