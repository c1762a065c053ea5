"""Runs sockjs-protocol's own test suite (sockjs_protocol.py, ported to Python 3) against SOCKJS_URL.

One command: SOCKJS_URL=http://127.0.0.1:PORT python3 run.py
The server must offer the suite's four services: /echo, /close, /disabled_websocket_echo and
/cookie_needed_echo (SockJsProtocolSuiteTest starts them on the hub's SockJS layer).
Checks that do not apply are listed here with the reason and reported, never dropped silently.
Prints one summary line: SOCKJS-PROTOCOL passed=P failed=F total=T not-applicable=N.
"""
import sys
import unittest

import sockjs_protocol

NOT_APPLICABLE = {
    # WebSocket draft hixie-76 (2010, Sec-WebSocket-Key1/Key2): no browser has spoken it since
    # 2011 and vertx-core's WebSocket server does not implement it.
    'test_haproxy': 'WebSocket draft hixie-76 is not implemented by vertx-core',
}


def flatten(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from flatten(t)
        else:
            yield t


def main():
    loaded = unittest.defaultTestLoader.loadTestsFromModule(sockjs_protocol)
    tests = [t for t in flatten(loaded)]
    run = [t for t in tests if t._testMethodName not in NOT_APPLICABLE]
    left_out = [t.id() for t in tests if t._testMethodName in NOT_APPLICABLE]
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(unittest.TestSuite(run))
    failed = len(result.failures) + len(result.errors)
    for name in left_out:
        print('NOT APPLICABLE: ' + name + ': ' + NOT_APPLICABLE[name.rsplit('.', 1)[1]])
    print('SOCKJS-PROTOCOL passed=%d failed=%d total=%d not-applicable=%d'
          % (result.testsRun - failed, failed, len(tests), len(left_out)))
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == '__main__':
    main()
