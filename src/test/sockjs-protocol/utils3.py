"""Python 3 port of sockjs-protocol's utils.py (the HTTP and WebSocket helpers of its test suite).

The upstream helpers are Python 2 (httplib_fork, ws4py, str as bytes); these keep their names and
behaviour on Python 3's standard library plus websocket-client (Debian: python3-websocket).
Bodies are decoded as UTF-8 so that the tests' str comparisons hold.
"""
import http.client
import queue
import re
import socket
import threading
import urllib.parse

import websocket


def _text(b):
    return b.decode('utf-8') if isinstance(b, (bytes, bytearray)) else b


class HttpResponse:
    """A request sent with http.client whose answer is not read (old_POST_async(load=False))."""

    def __init__(self, method, url, headers={}, body=None, load=True):
        u = urllib.parse.urlparse(url)
        self.conn = http.client.HTTPConnection(u.netloc, timeout=1.0)
        path = u.path + ('?' + u.query if u.query else '')
        headers = dict(headers)
        if not body and method == 'POST':
            headers['Content-Length'] = 0
        self.conn.request(method, path, body=body, headers=headers)
        self.res = None
        if load:
            self.res = self.conn.getresponse()
            self.status = self.res.status
            self.body = _text(self.res.read())
            self.close()

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None


def old_POST_async(url, **kwargs):
    return HttpResponse('POST', url, **kwargs)


class WebSocket8Client(object):
    class ConnectionClosedException(Exception):
        pass

    def __init__(self, url):
        self.queue = queue.Queue()
        self.ws = websocket.create_connection(url, timeout=5)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        try:
            while True:
                opcode, frame = self.ws.recv_data_frame(control_frame=True)
                if opcode == websocket.ABNF.OPCODE_TEXT:
                    self.queue.put(frame.data.decode('utf-8'))
                elif opcode == websocket.ABNF.OPCODE_CLOSE:
                    data = frame.data
                    code = int.from_bytes(data[:2], 'big') if len(data) >= 2 else 1005
                    self.queue.put((code, data[2:].decode('utf-8')))
                    return
        except Exception:
            self.queue.put((1006, ''))

    def close(self):
        if self.ws:
            try:
                self.ws.close()
            except Exception:
                pass
            self.ws = None

    def send(self, data):
        self.ws.send(data)

    def recv(self):
        try:
            r = self.queue.get(timeout=1.0)
            if isinstance(r, tuple):
                ce = self.ConnectionClosedException()
                (ce.code, ce.reason) = r
                raise ce
            return r
        except:
            self.close()
            raise


def recvline(s):
    b = []
    c = None
    while c != b'\n':
        c = s.recv(1)
        if not c:
            raise Exception('Socket closed!')
        b.append(c)
    return b''.join(b).decode('latin-1')


class CaseInsensitiveDict(dict):
    def __init__(self, *args, **kwargs):
        super().__init__()
        for k, v in dict(*args, **kwargs).items():
            self[k] = v

    def __setitem__(self, key, value):
        super().__setitem__(key.lower(), (key, value))

    def __getitem__(self, key):
        return super().__getitem__(key.lower())[1]

    def get(self, key, default=None):
        v = super().get(key.lower())
        return default if v is None else v[1]

    def __contains__(self, key):
        return super().__contains__(key.lower())

    def items(self):
        return [v for v in super().values()]


class Response(object):
    def __repr__(self):
        return '<Response HTTP/%s %s %r %r>' % (self.http, self.status, self.description, dict(self.headers.items()))

    def __getitem__(self, key):
        return self.headers.get(key)

    def get(self, key, default):
        return self.headers.get(key, default)


class RawHttpConnection(object):
    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.s = socket.create_connection((u.hostname, u.port), timeout=1)

    def request(self, method, url, headers={}, body=None, timeout=1, http="1.1"):
        headers = CaseInsensitiveDict(headers)
        if method == 'POST':
            body = (body or '').encode('utf-8')
        u = urllib.parse.urlparse(url)
        headers['Host'] = u.hostname + ':' + str(u.port) if u.port else u.hostname
        if body is not None:
            headers['Content-Length'] = str(len(body))
        rel_url = url[url.find(u.path):]
        req = ["%s %s HTTP/%s" % (method, rel_url, http)]
        for k, v in headers.items():
            req.append("%s: %s" % (k, v))
        req.append('')
        req.append('')
        self.send('\r\n'.join(req).encode('utf-8'))
        if body:
            self.send(body)
        head = recvline(self.s)
        r = re.match(r'HTTP/(?P<version>\S+) (?P<status>\S+) (?P<description>.*)', head)
        resp = Response()
        resp.http = r.group('version')
        resp.status = int(r.group('status'))
        resp.description = r.group('description').rstrip('\r\n')
        resp.headers = CaseInsensitiveDict()
        while True:
            header = recvline(self.s)
            if header in ['\n', '\r\n']:
                break
            k, _, v = header.partition(':')
            resp.headers[k] = v.lstrip().rstrip('\r\n')
        return resp

    def _read_bytes(self, size=None):
        if size is None:
            return self.s.recv(999999)
        data = []
        while size > 0:
            c = self.s.recv(size)
            if not c:
                raise Exception('Socket closed!')
            size -= len(c)
            data.append(c)
        return b''.join(data)

    def read(self, size=None):
        return _text(self._read_bytes(size))

    def read_till_eof(self):
        data = []
        while True:
            c = self.s.recv(999999)
            if not c:
                break
            data.append(c)
        return _text(b''.join(data))

    def closed(self):
        t = self.s.gettimeout()
        self.s.settimeout(0.1)
        r = self.s.recv(1) == b''
        if not r:
            raise Exception('Socket not closed!')
        self.s.settimeout(t)
        return r

    def read_chunk(self):
        line = recvline(self.s).rstrip('\r\n')
        n = int(line, 16) + 2  # Additional \r\n
        return _text(self._read_bytes(n)[:-2])

    def send(self, data):
        self.s.sendall(data)

    def close(self):
        self.s.close()


def SynchronousHttpRequest(method, url, **kwargs):
    c = RawHttpConnection(url)
    r = c.request(method, url, **kwargs)
    if r.get('Transfer-Encoding', '').lower() == 'chunked':
        chunks = []
        while True:
            chunk = c.read_chunk()
            if len(chunk) == 0:
                break
            chunks.append(chunk)
        r.body = ''.join(chunks)
    elif r.get('Content-Length', ''):
        cl = int(r['Content-Length'])
        r.body = c.read(cl) if cl else ''
    elif 'close' in [k.strip() for k in r.get('Connection', '').lower().split(',')]:
        r.body = c.read_till_eof()
    else:
        if r.status in [101, 304, 204] or (r.status == 200 and method == 'OPTIONS'):
            r.body = ''
        else:
            raise Exception(str(r.status) + ' ' + str(r.headers) + " No Transfer-Encoding:chunked nor Content-Length nor Connection:Close!")
    c.close()
    return r


def GET(url, **kwargs):
    return SynchronousHttpRequest('GET', url, **kwargs)


def POST(url, **kwargs):
    return SynchronousHttpRequest('POST', url, **kwargs)


def OPTIONS(url, **kwargs):
    return SynchronousHttpRequest('OPTIONS', url, **kwargs)


def AsynchronousHttpRequest(method, url, **kwargs):
    c = RawHttpConnection(url)
    r = c.request(method, url, **kwargs)
    if r.get('Transfer-Encoding', '').lower() == 'chunked':
        def read():
            return c.read_chunk()
        r.read = read
    elif r.get('Content-Length', ''):
        cl = int(r['Content-Length'])

        def read():
            return c.read(cl)
        r.read = read
    elif ('close' in [k.strip() for k in r.get('Connection', '').lower().split(',')]
          or r.status == 101):
        def read():
            return c.read()
        r.read = read
    else:
        raise Exception(str(r.status) + ' ' + str(r.headers) + " No Transfer-Encoding:chunked nor Content-Length nor Connection:Close!")

    def close():
        c.close()
    r.close = close
    return r


def GET_async(url, **kwargs):
    return AsynchronousHttpRequest('GET', url, **kwargs)


def POST_async(url, **kwargs):
    return AsynchronousHttpRequest('POST', url, **kwargs)
