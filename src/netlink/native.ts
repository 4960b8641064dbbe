// The netlink part of the native addon (native/netlink/socket.cc): socket I/O only, no decoding.
export interface NetlinkNative {
  netlinkOpen(protocol: number): number
  netlinkTransact(fd: number, request: Uint8Array, timeoutMs: number, maxBytes: number): {errno: number; datagrams: Uint8Array[]}
  netlinkClose(fd: number): void
}
