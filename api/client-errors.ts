import type { Socket } from 'node:net';

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (a URL or headers over Node's 16 KiB
 * limit, a malformed request line) answered in the one error shape instead of Fastify's default body.
 * The socket may be half-written or gone: write only when it is still writable, then close it.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify({
    error: {
      code: tooLarge ? 'REQUEST_HEADERS_TOO_LARGE' : 'BAD_REQUEST',
      message: tooLarge ? 'The URL and headers together exceed 16 KiB; send long values in a body instead.' : 'The request could not be parsed as HTTP.',
      details: [],
    },
  });
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  } else {
    socket.destroy(err);
  }
}
