// Generic netlink family resolution: family ids are assigned at boot, so ask nlctrl by name every run.
import {type DecodedAttrs, attrId, decodeAttributes, decodeGenl, encodeAttr, genlHeader} from './codec.js'
import {ctrl, ctrlFamilyAttrs} from './families/ctrl.js'
import {NetlinkError, type NetlinkSocket} from './socket.js'

export interface GenericFamily {
  name: string
  id: number
  version: number
  /** Operation (command) ids the kernel offers, with their GENL_*_PERM flags. */
  ops: {id: number; flags: number}[]
}

/** Resolves a family by name; null when this kernel has no such family (ENOENT). */
export function resolveFamily(socket: NetlinkSocket, name: string): GenericFamily | null {
  try {
    const [reply] = socket.request({
      type: ctrl.familyId,
      mode: 'ack',
      familyHeader: genlHeader(ctrl.command.getFamily, ctrl.version),
      attrs: [encodeAttr.string(attrId(ctrlFamilyAttrs, 'familyName'), name)],
      what: `generic netlink family "${name}"`,
    })
    if (!reply) return null
    return decodeFamily(decodeAttributes(decodeGenl(reply).attrs, ctrlFamilyAttrs))
  } catch (error) {
    if (error instanceof NetlinkError && error.errnoName === 'ENOENT') return null
    throw error
  }
}

export function decodeFamily(attrs: DecodedAttrs): GenericFamily {
  const ops = (attrs.ops as DecodedAttrs[] | undefined) ?? []
  return {
    name: String(attrs.familyName ?? ''),
    id: Number(attrs.familyId ?? 0),
    version: Number(attrs.version ?? 0),
    ops: ops.map((op) => ({id: Number(op.id ?? 0), flags: Number(op.flags ?? 0)})),
  }
}
