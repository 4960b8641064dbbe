#!/usr/bin/env node
// Fuzzes uringctl's netlink decoder (dist/netlink) with random and mutated inputs built from the captured
// fixtures: every input must decode or throw NetlinkDecodeError, nothing else, and must finish.
// Usage: node scripts/fuzz-netlink.js [--inputs N] [--seed S]   (default 1,000,000 inputs; run `npm run build` first)
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {NetlinkDecodeError, decodeAttributes, decodeDatagram, decodeGenl} from '../dist/netlink/codec.js'
import {decodeChannelsReply, decodeRingsReply} from '../dist/netlink/ethtool.js'
import {ctrlFamilyAttrs} from '../dist/netlink/families/ctrl.js'
import {ethtoolChannelsAttrs, ethtoolRingsAttrs} from '../dist/netlink/families/ethtool.js'
import {netdevPagePoolAttrs, netdevQueueAttrs} from '../dist/netlink/families/netdev.js'
import {linkAttrs} from '../dist/netlink/families/rtnetlink.js'
import {decodeFamily} from '../dist/netlink/generic.js'
import {decodeLink} from '../dist/netlink/links.js'
import {decodePagePool, decodeQueue} from '../dist/netlink/netdev.js'

const fixtureDir = join(import.meta.dirname, '..', 'test', 'fixtures', 'netlink')
const attrSets = [ethtoolRingsAttrs, ethtoolChannelsAttrs, ctrlFamilyAttrs, netdevQueueAttrs, netdevPagePoolAttrs, linkAttrs]

export function loadCorpus() {
  const corpus = []
  for (const name of readdirSync(fixtureDir).filter((n) => n.endsWith('.hex'))) {
    for (const line of readFileSync(join(fixtureDir, name), 'utf8').split('\n')) {
      if (line) corpus.push(new Uint8Array(Buffer.from(line, 'hex')))
    }
  }
  return corpus
}

/** Everything uringctl does with a reply datagram, through every decoder that could see it. */
export function decodeEverything(datagram) {
  for (const message of decodeDatagram(datagram)) {
    if (message.kind !== 'data') continue
    const type = message.header.type
    const attempts = [
      () => decodeRingsReply(message, type),
      () => decodeChannelsReply(message, type),
      () => decodeQueue(message, type),
      () => decodePagePool(message, type),
      () => decodeLink({...message, header: {...message.header, type: 16}}),
      () => decodeFamily(decodeAttributes(decodeGenl(message).attrs, ctrlFamilyAttrs)),
      ...attrSets.map((set) => () => decodeAttributes(message.payload.subarray(4), set)),
    ]
    for (const attempt of attempts) {
      try {
        attempt()
      } catch (error) {
        if (!(error instanceof NetlinkDecodeError)) throw error
      }
    }
  }
}

// xorshift32: reproducible from the seed, so a failure can be replayed.
function rng(seed) {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13; s >>>= 0
    s ^= s >>> 17
    s ^= s << 5; s >>>= 0
    return s / 0x100000000
  }
}

const interesting = [0, 1, 3, 4, 0x7f, 0x80, 0xfe, 0xff]

function mutate(corpus, random) {
  const pick = (n) => Math.floor(random() * n)
  const strategy = pick(8)
  if (strategy === 0) {
    const out = new Uint8Array(pick(600))
    for (let i = 0; i < out.length; i++) out[i] = pick(256)
    return out
  }
  const base = corpus[pick(corpus.length)]
  let out = Uint8Array.from(base)
  const edits = 1 + pick(6)
  for (let e = 0; e < edits; e++) {
    if (out.length === 0) break
    const at = pick(out.length)
    switch (pick(7)) {
      case 0: out[at] ^= 1 << pick(8); break
      case 1: out[at] = interesting[pick(interesting.length)]; break
      case 2: out = out.subarray(0, at); break
      case 3: { // corrupt a 16-bit length field (an nla_len or the low half of an nlmsg_len)
        const aligned = at & ~3
        if (aligned + 1 < out.length) { const v = pick(4) === 0 ? pick(65536) : pick(64); out[aligned] = v & 0xff; out[aligned + 1] = v >> 8 }
        break
      }
      case 4: { // splice another fixture's tail
        const other = corpus[pick(corpus.length)]
        out = Uint8Array.from([...out.subarray(0, at), ...other.subarray(pick(other.length))])
        break
      }
      case 5: { // duplicate a region
        const len = pick(Math.min(64, out.length - at) + 1)
        out = Uint8Array.from([...out.subarray(0, at + len), ...out.subarray(at, at + len), ...out.subarray(at + len)])
        break
      }
      default: { // append random bytes
        const extra = new Uint8Array(pick(32))
        for (let i = 0; i < extra.length; i++) extra[i] = pick(256)
        out = Uint8Array.from([...out, ...extra])
      }
    }
  }
  // Half the time, make the outer framing consistent again so the attribute decoders get exercised too.
  if (pick(2) === 0 && out.length >= 16) new DataView(out.buffer, out.byteOffset).setUint32(0, out.length, true)
  return out
}

/** Runs `inputs` fuzz inputs; throws (with the seed and input in hex) on the first unexpected error. */
export function fuzzNetlink({inputs, seed = 1, corpus = loadCorpus()}) {
  const random = rng(seed)
  let decodeErrors = 0
  let slowestNs = 0n
  for (let n = 0; n < inputs; n++) {
    const input = mutate(corpus, random)
    const started = process.hrtime.bigint()
    try {
      decodeEverything(input)
    } catch (error) {
      if (error instanceof NetlinkDecodeError) {
        decodeErrors++
        continue
      }
      const failure = new Error(`input ${n} (seed ${seed}) threw ${error?.name}: ${error?.message}\ninput: ${Buffer.from(input).toString('hex')}`)
      failure.cause = error
      throw failure
    } finally {
      const took = process.hrtime.bigint() - started
      if (took > slowestNs) slowestNs = took
    }
  }
  // Every decode loop advances by at least one header per step, so inputs cannot hang; this shows it.
  return {inputs, decodeErrors, accepted: inputs - decodeErrors, slowestMs: Number(slowestNs) / 1e6}
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (flag, fallback) => {
    const i = process.argv.indexOf(flag)
    return i === -1 ? fallback : Number(process.argv[i + 1])
  }
  const inputs = arg('--inputs', 1_000_000)
  const seed = arg('--seed', Date.now() >>> 0)
  const started = process.hrtime.bigint()
  const result = fuzzNetlink({inputs, seed})
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  console.log(`fuzz-netlink: ${result.inputs} inputs (seed ${seed}) in ${seconds.toFixed(1)} s: ${result.accepted} decoded, ${result.decodeErrors} rejected with NetlinkDecodeError, 0 other errors; slowest input ${result.slowestMs.toFixed(2)} ms`)
}
