"""A request body as Go's HTTP server hands it to a handler: `net/http/transfer.go:body` over
`io.LimitReader` (Content-Length) or `net/http/internal/chunked.go:chunkedReader` (chunked), with the
trailer read after the last chunk.

Errors are Go's, word for word, since daprd answers `failed to read request body: <error>`
(ERR_BODY_READ): `unexpected EOF` (the stream ended early), `invalid byte in chunk length`,
`empty hex number for chunk length`, `http chunk length too large` (over 16 hex digits),
`malformed chunked encoding` (chunk data not followed by CRLF), `header line too long`,
`chunked line ends with bare LF` / `invalid CR in chunked line` (Go 1.23.8+, 1.24.2+), `chunked
encoding contains too much non-data`, and the trailer's `http: unexpected EOF reading trailer`,
`http: suspiciously long trailer after chunked body` or textproto's. Chunk extensions (`;name=value`)
are dropped and trailers read, as Go does. `close()` and `discard()` are what the server does with
what a handler left unread (`body.Close`, `response.finishRequest`, `chunkWriter.writeHeader`).
"""

from __future__ import annotations

from typing import Literal

from .bufconn import BufferedConn, BufferFull
from .textproto import MimeHeaderEOF, MimeHeaderError, read_mime_header

#: `maxPostHandlerReadBytes`: what the server reads of an unread body to keep the connection.
MAX_POST_HANDLER_READ_BYTES = 256 << 10
_MAX_LINE = 4096  # chunked.go maxLineLength
_READ_AFTER_CLOSE = "http: invalid Read on closed Body"


class GoBodyError(Exception):
    """A failed body read; `str()` is Go's error text."""


Discarded = Literal["eof", "more", "closed", "error"]


class GoBody:
    """`Request.Body`: `length` bytes (Content-Length), or `chunked`; `read` raises `GoBodyError`."""

    def __init__(
        self,
        conn: BufferedConn,
        length: int,
        *,
        chunked: bool = False,
        closing: bool = False,
        crlf_only: bool = True,
        peer: str = "",
    ) -> None:
        self._conn = conn
        self.chunked = chunked
        self._left = 0 if chunked else length  # Content-Length bytes still to read
        self._closing = closing  # the connection closes after this request (Request.Close)
        self._crlf_only = crlf_only
        self._peer = peer  # "local->remote", for socket errors
        self._chunk_left = 0
        self._check_end = False
        self._excess = 0
        self._error: GoBodyError | None = None
        self.saw_eof = not chunked and length == 0
        self.closed = False
        self.early_close = False

    # -- reading -------------------------------------------------------------------------------------
    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes (everything when negative); b"" at the end of the body.

        As Go's `Read` may return data and an error together, an error met after some data is kept
        for the next call, and `saw_eof` turns true in the call that reaches the end (io.EOF with the
        last bytes, which kit's LimitReadCloser relies on)."""
        if size < 0:
            chunks = []
            while chunk := self.read(1 << 16):
                chunks.append(chunk)
            return b"".join(chunks)
        if self._error is not None:
            error = self._error
            if self.closed:  # a trailer error is told once; then the body is closed
                self._error = None
            raise error
        if self.closed:
            raise GoBodyError(_READ_AFTER_CLOSE)
        if self.saw_eof or size == 0:
            return b""
        try:
            return self._read_chunked(size) if self.chunked else self._read_length(size)
        except OSError as err:
            self._error = GoBodyError(f"read tcp {self._peer}: {_socket_error(err)}")
            raise self._error from None

    def _read_length(self, size: int) -> bytes:
        data = self._conn.read(min(size, self._left))
        if not data:
            self.saw_eof = True  # body.readLocked: an early EOF is io.ErrUnexpectedEOF, once
            raise GoBodyError("unexpected EOF")
        self._left -= len(data)
        if self._left == 0:
            self.saw_eof = True
        return data

    def _read_chunked(self, size: int) -> bytes:
        """`chunkedReader.Read`: chunk data until `size`, not blocking for a chunk header once some
        data is read; the last chunk's trailer is read in the call that meets it."""
        conn = self._conn
        out = bytearray()  # grown in place: tiny chunks would make `bytes +=` quadratic
        try:
            while True:
                if self._check_end:
                    if out and conn.buffered() < 2:
                        break
                    end = conn.peek(2)
                    conn.discard(len(end))
                    if len(end) < 2:
                        raise GoBodyError("unexpected EOF")
                    if end != b"\r\n":
                        raise GoBodyError("malformed chunked encoding")
                    self._check_end = False
                if self._chunk_left == 0:
                    if out and not conn.line_buffered():
                        break
                    if self._begin_chunk():
                        self._read_trailer()
                        break
                    continue
                if len(out) == size:
                    break
                data = conn.read(min(size - len(out), self._chunk_left))
                if not data:
                    raise GoBodyError("unexpected EOF")
                out += data
                self._chunk_left -= len(data)
                self._check_end = self._chunk_left == 0
        except GoBodyError as err:
            if out:  # Go returns the bytes and the error together: the error comes next
                self._error = err
                return bytes(out)
            if not self.closed:  # sticky (cr.err), unless it was the trailer's (the body closed)
                self._error = err
            raise
        return bytes(out)

    def _begin_chunk(self) -> bool:
        """Read a chunk-size line; True at the last chunk (`0`)."""
        try:
            line = self._conn.read_slice_line()
        except BufferFull:
            raise GoBodyError("header line too long") from None
        except EOFError:
            raise GoBodyError("unexpected EOF") from None
        if self._crlf_only:
            cr = line.find(b"\r")
            if cr < 0:
                raise GoBodyError("chunked line ends with bare LF")
            if cr != len(line) - 2:
                raise GoBodyError("invalid CR in chunked line")
            line = line[:-2]
            if len(line) >= _MAX_LINE:
                raise GoBodyError("header line too long")
            self._excess += len(line) + 2
            line = line.rstrip(b" \t")
        else:  # before CVE-2025-22871: any trailing whitespace, a bare LF included
            if len(line) >= _MAX_LINE:
                raise GoBodyError("header line too long")
            self._excess += len(line) + 2
            line = line.rstrip(b" \t\r\n")
        size = _parse_hex(line.split(b";", 1)[0])
        self._excess = max(self._excess - 16 - 2 * size, 0)
        if size == 0:
            return True
        if self._excess > 16 * 1024:
            raise GoBodyError("chunked encoding contains too much non-data")
        self._chunk_left = size
        return False

    def _read_trailer(self) -> None:
        """`body.readTrailer`: CRLF, or header lines up to a blank line within the 4 KiB buffer."""
        conn = self._conn
        start = conn.peek(2)
        if start == b"\r\n":
            conn.discard(2)
            self.saw_eof = True
            return
        try:
            if len(start) < 2:
                raise GoBodyError("http: unexpected EOF reading trailer")
            if not _double_crlf_ahead(conn):
                raise GoBodyError("http: suspiciously long trailer after chunked body")
            read_mime_header(conn)
        except MimeHeaderEOF:
            error = GoBodyError("http: unexpected EOF reading trailer")
        except MimeHeaderError as err:
            error = GoBodyError(str(err))
        except GoBodyError as err:
            error = err
        else:
            self.saw_eof = True
            return
        self.closed = True  # no later read, nor the next request, may use this connection's bytes
        raise error

    # -- what the server does after the handler ---------------------------------------------------------
    def copy_n(self, limit: int) -> tuple[int, Discarded]:
        """`io.CopyN(io.Discard, body, limit)`: bytes read and how it stopped ("more": limit reached)."""
        total = 0
        while total < limit:
            try:
                chunk = self.read(min(1 << 16, limit - total))
            except GoBodyError as err:
                return total, "closed" if str(err) == _READ_AFTER_CLOSE else "error"
            if not chunk:
                return total, "eof"
            total += len(chunk)
        return total, "more"

    def discard(self) -> Discarded:
        """writeHeader's read of what the handler left (daprd wraps Request.Body, so always this path)."""
        return self.copy_n(MAX_POST_HANDLER_READ_BYTES + 1)[1]

    def close(self) -> bool:
        """`body.Close` on the server: read up to 256 KiB more looking for the end (or give up at once
        for a longer Content-Length rest), so the connection can be reused. False on a read error."""
        if self.closed:
            return True
        ok = True
        if self.saw_eof or (not self.chunked and self._closing):
            pass
        elif not self.chunked and self._left > MAX_POST_HANDLER_READ_BYTES:
            self.early_close = True
        else:
            read, how = self.copy_n(MAX_POST_HANDLER_READ_BYTES)
            self.early_close = read == MAX_POST_HANDLER_READ_BYTES
            ok = how in ("eof", "more")
        self.closed = True
        return ok


def _parse_hex(digits: bytes) -> int:
    """chunked.go `parseHexUint`."""
    if not digits:
        raise GoBodyError("empty hex number for chunk length")
    value = 0
    for i, byte in enumerate(digits):
        if 0x30 <= byte <= 0x39:
            nibble = byte - 0x30
        elif 0x61 <= byte <= 0x66:
            nibble = byte - 0x61 + 10
        elif 0x41 <= byte <= 0x46:
            nibble = byte - 0x41 + 10
        else:
            raise GoBodyError("invalid byte in chunk length")
        if i == 16:
            raise GoBodyError("http chunk length too large")
        value = value << 4 | nibble
    return value


def _double_crlf_ahead(conn: BufferedConn) -> bool:
    """`seeUpcomingDoubleCRLF`: a blank line ahead within bufio's 4 KiB, reading only what is needed."""
    seen = conn.peek(4)
    while b"\r\n\r\n" not in seen:
        if len(seen) >= 4096:
            return False
        more = conn.peek(min(len(seen) + 1, 4096))
        if len(more) == len(seen):
            return False  # end of stream
        seen = more
    return True


def _socket_error(err: OSError) -> str:
    """How Go's net package words a failed read on a TCP connection."""
    if isinstance(err, TimeoutError):
        return "i/o timeout"
    if isinstance(err, ConnectionResetError):
        return "read: connection reset by peer"
    return f"read: {err.strerror or err}"
