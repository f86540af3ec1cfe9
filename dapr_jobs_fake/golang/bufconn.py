"""How Go's HTTP server reads a connection: a 4 KiB `bufio.Reader` over `connReader`, with a read limit.

`net/http/server.go`: every request head is read through `c.bufr` (`bufio.NewReaderSize(c.r, 4096)`),
and `c.r` (a `connReader`) stops handing out bytes once `remain` is used up (`setReadLimit`): while
a head is read the limit is `MaxHeaderBytes + 4096` ("bufio slop", `initialReadLimitSize`), after it
none (`setInfiniteReadLimit`). A read that runs into the limit is the 431 of `server.go:serve`.

`BufferedConn` reproduces the parts the server relies on: `ReadLine` (textproto's, lines ending in
`\\n` or `\\r\\n`; a last line without one at EOF), `ReadSlice('\\n')` within the buffer, `Peek`,
`ReadByte`, `Read` (a large read with an empty buffer goes straight to the connection, one `recv`).
"""

from __future__ import annotations

from collections.abc import Callable

#: bufio's default size, which net/http uses for `c.bufr` (`newBufioReader`).
BUFFER_SIZE = 4096
#: What `initialReadLimitSize` adds to MaxHeaderBytes ("bufio slop").
READ_LIMIT_SLACK = 4096


class BufferFull(Exception):
    """`bufio.ErrBufferFull`: `ReadSlice` found no delimiter in a full buffer."""


class BufferedConn:
    """A `bufio.Reader` over `recv(n) -> bytes` (b"" at end of stream), with connReader's read limit.

    Socket errors (timeouts, resets) propagate from `recv` unchanged: Go's server treats them as
    "common net read errors" (no answer), the body reader words them itself.
    """

    __slots__ = ("_buf", "_hit_limit", "_pos", "_recv", "eof", "remain")

    def __init__(self, recv: Callable[[int], bytes]) -> None:
        self._recv = recv
        self._buf = b""
        self._pos = 0
        #: Bytes the connection may still hand out; -1 for no limit.
        self.remain = -1
        self.eof = False
        self._hit_limit = False

    # -- the read limit (connReader) -------------------------------------------------------------
    def set_read_limit(self, limit: int) -> None:
        self.remain = limit
        self._hit_limit = False

    def set_infinite_read_limit(self) -> None:
        self.remain = -1

    def hit_read_limit(self) -> bool:
        """`connReader.hitReadLimit`: the limit was reached (and a read wanted more)."""
        return self._hit_limit or self.remain == 0

    # -- filling ------------------------------------------------------------------------------------
    def buffered(self) -> int:
        return len(self._buf) - self._pos

    def _fill(self) -> bool:
        """Read once from the connection into the buffer (at most what the buffer and limit allow);
        False at end of stream or at the read limit (connReader then answers io.EOF)."""
        if self.eof:
            return False
        if self._pos:
            self._buf, self._pos = self._buf[self._pos :], 0
        want = max(BUFFER_SIZE - len(self._buf), 1)
        if self.remain >= 0:
            if self.remain == 0:
                self._hit_limit = True
                return False
            want = min(want, self.remain)
        data = self._recv(want)
        if not data:
            self.eof = True
            return False
        if self.remain >= 0:
            self.remain -= len(data)
        self._buf = self._buf + data if self._buf else data
        return True

    # -- bufio's reads ------------------------------------------------------------------------------
    def read_line(self) -> bytes | None:
        """textproto's `ReadLine`: the next line without `\\n` or `\\r\\n`; a partial last line at end
        of stream as it is; None at end of stream with nothing buffered."""
        scan = self._pos
        while True:
            end = self._buf.find(b"\n", scan)
            if end >= 0:
                line = self._buf[self._pos : end]
                self._pos = end + 1
                return line[:-1] if line.endswith(b"\r") else line
            scan = len(self._buf)
            before = self._pos
            if not self._fill():
                if self.buffered() == 0:
                    return None
                line = self._buf[self._pos :]
                self._pos = len(self._buf)
                return line
            scan -= before - self._pos  # the buffer was compacted

    def read_slice_line(self) -> bytes:
        """`ReadSlice('\\n')`: the line with its `\\n`, if it fits in the 4 KiB buffer; raises
        `BufferFull`, or EOFError at end of stream before a `\\n`."""
        scan = self._pos
        while True:
            end = self._buf.find(b"\n", scan)
            if end >= 0 and end - self._pos < BUFFER_SIZE:
                line = self._buf[self._pos : end + 1]
                self._pos = end + 1
                return line
            if self.buffered() >= BUFFER_SIZE:
                raise BufferFull
            scan = len(self._buf)
            before = self._pos
            if not self._fill():
                raise EOFError
            scan -= before - self._pos

    def peek(self, n: int) -> bytes:
        """`Peek(n)` (n <= 4096): up to n bytes without consuming them; fewer only at end of stream."""
        while self.buffered() < n and self._fill():
            pass
        return self._buf[self._pos : self._pos + n]

    def line_buffered(self) -> bool:
        """Whether the buffer already holds a `\\n` (a whole line), without reading or copying."""
        return self._buf.find(b"\n", self._pos) >= 0

    def read_byte(self) -> int | None:
        if self.buffered() == 0 and not self._fill():
            return None
        byte = self._buf[self._pos]
        self._pos += 1
        return byte

    def unread_byte(self) -> None:
        self._pos -= 1

    def discard(self, n: int) -> None:
        """Drop n buffered bytes (n <= buffered())."""
        self._pos += n

    def read(self, n: int) -> bytes:
        """`Read`: at most n bytes, at least one unless at end of stream (b"")."""
        if self.buffered():
            chunk = self._buf[self._pos : self._pos + n]
            self._pos += len(chunk)
            return chunk
        if n >= BUFFER_SIZE and not self.eof:  # bufio reads a large request straight into p
            if self.remain >= 0:
                if self.remain == 0:
                    self._hit_limit = True
                    return b""
                n = min(n, self.remain)
            data = self._recv(n)
            if not data:
                self.eof = True
            elif self.remain >= 0:
                self.remain -= len(data)
            return data
        if not self._fill():
            return b""
        return self.read(n)
