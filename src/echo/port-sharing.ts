// Who may share a server's port. Every engine listener is SO_REUSEPORT (one per thread), so the kernel alone would
// let any process of the same user join a running server's port. A server started without --reuse-port therefore
// holds an abstract unix socket named after its address and port while it runs (abstract names live in the network
// namespace, like the port, and vanish with the process); a --reuse-port server refuses a port whose name is held.
import net from 'node:net'

export interface PortClaim {
  /** Another server holds the address and port for itself. */
  held: boolean
  release(): void
}

function claimName(host: string, port: number): string {
  return `\0uringctl-echo-serve-exclusive ${host} ${port}`
}

/** Takes the address and port for this process alone; `held` when another server already did. */
export function claimPort(host: string, port: number): Promise<PortClaim> {
  return new Promise((resolve) => {
    const marker = net.createServer()
    marker.once('error', (error: NodeJS.ErrnoException) => {
      // Any other failure (no unix sockets here) leaves ports unguarded, as the kernel alone would.
      resolve({held: error.code === 'EADDRINUSE', release() {}})
    })
    marker.listen({path: claimName(host, port)}, () => {
      marker.unref()
      resolve({held: false, release: () => marker.close()})
    })
  })
}

/** Whether a server without --reuse-port holds the address and port. */
export async function heldExclusively(host: string, port: number): Promise<boolean> {
  const claim = await claimPort(host, port)
  claim.release()
  return claim.held
}
