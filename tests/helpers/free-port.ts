// A TCP port on 127.0.0.1 the OS just handed out and that nothing listens on now (for settings
// such as gatewayPort that cannot be 0). Another process could take it meanwhile: tests only.
import net from 'node:net'

export async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
