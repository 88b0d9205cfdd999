// Test fixture: a tiny HTTP server on 127.0.0.1 that records every request (method, path, body)
// and answers each with the JSON its test chooses, for checking exactly what a profile sends.
import http from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  method: string
  path: string
  contentType: string
  /** Every header as received (lower-case names). */
  headers: IncomingHttpHeaders
  body: string
}

export interface RecordingServer {
  baseUrl: string
  requests: RecordedRequest[]
  close(): Promise<void>
}

/** Starts the server; `answer` gives the status and JSON body for each request. */
export async function startRecordingServer(
  answer: (req: RecordedRequest) => { status: number; json: unknown },
): Promise<RecordingServer> {
  const requests: RecordedRequest[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const rec: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      requests.push(rec)
      const { status, json } = answer(rec)
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(json))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
