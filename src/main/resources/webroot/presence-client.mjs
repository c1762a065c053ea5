// presence-client.mjs: presence-client.js as an ES module (the same code, evaluated once).
//
//   import { connect } from 'https://hub.example.com/presence-client.mjs';
//   const hub = connect({ url: 'https://hub.example.com/presence', token: async () => jwt });
import './presence-client.js';

const PresenceClient = globalThis.PresenceClient;

export const { connect, PresenceError, timing } = PresenceClient;
export default PresenceClient;
