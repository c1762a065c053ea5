// Entry of the browser IIFE the hub serves at /presence-client.js: defines window.PresenceClient
// ({connect, PresenceError, timing}); sockjs-client is loaded from the hub's WebJar on first use.
export { PresenceError, connect, timing } from './presence-client.js';
