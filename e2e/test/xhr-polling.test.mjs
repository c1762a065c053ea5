import { definePresenceSuite } from '../lib/suite.mjs';

definePresenceSuite('xhr-polling');
