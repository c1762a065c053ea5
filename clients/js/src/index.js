// The npm entry of @presence-hub/client (ESM and CommonJS builds): the client with the
// sockjs-client package as its default transport, so that Node and bundled apps need nothing else.
// options.SockJS still wins, and so does a window.SockJS the page loaded itself.
import SockJS from 'sockjs-client';
import { PresenceError, connect, timing, useSockJS } from './presence-client.js';

useSockJS(SockJS);

export { PresenceError, connect, timing };
export default { connect, PresenceError, timing };
