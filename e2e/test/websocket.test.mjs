import { definePresenceSuite } from '../lib/suite.mjs';

definePresenceSuite('websocket');
