// The event batch's columns in the imported memory, shared by every module here (assembly/pcap.ts and
// the log row readers): the JS side lays out one typed array per EventBatch column (src/decode/batch.ts)
// and passes where each starts to the module's init, which hands them to setBatchLayout. One layout, so
// that a column added to the batch is added here once.

export let capacity: i32 = 0;
export let pFamily: usize = 0;
export let pSrc: usize = 0;
export let pDst: usize = 0;
export let pProto: usize = 0;
export let pSrcPort: usize = 0;
export let pDstPort: usize = 0;
export let pIcmpType: usize = 0;
export let pIcmpCode: usize = 0;
export let pTcpFlags: usize = 0;
export let pAction: usize = 0;
export let pTime: usize = 0;
export let pPosition: usize = 0;
export let pFrame: usize = 0;
export let pLabel: usize = 0;
export let pBlockedBy: usize = 0;
export let pTtl: usize = 0;
export let pIface: usize = 0;
export let pTcpSeq: usize = 0;
export let pHistory: usize = 0;
export let pCount: usize = 0;
export let pPayload: usize = 0;
export let pInnerProto: usize = 0;
export let pInnerSrc: usize = 0;
export let pInnerDst: usize = 0;
export let pInnerSrcPort: usize = 0;
export let pInnerDstPort: usize = 0;

export function setBatchLayout(
  cap: i32, family: usize, src: usize, dst: usize, proto: usize, srcPort: usize, dstPort: usize,
  icmpType: usize, icmpCode: usize, tcpFlags: usize, action: usize, time: usize, position: usize,
  frame: usize, label: usize, blockedBy: usize, ttl: usize, iface: usize, tcpSeq: usize,
  history: usize, cnt: usize, payload: usize, innerProto: usize, innerSrc: usize, innerDst: usize,
  innerSrcPort: usize, innerDstPort: usize,
): void {
  capacity = cap; pFamily = family; pSrc = src; pDst = dst; pProto = proto; pSrcPort = srcPort;
  pDstPort = dstPort; pIcmpType = icmpType; pIcmpCode = icmpCode; pTcpFlags = tcpFlags;
  pAction = action; pTime = time; pPosition = position; pFrame = frame; pLabel = label;
  pBlockedBy = blockedBy; pTtl = ttl; pIface = iface; pTcpSeq = tcpSeq; pHistory = history;
  pCount = cnt; pPayload = payload; pInnerProto = innerProto; pInnerSrc = innerSrc;
  pInnerDst = innerDst; pInnerSrcPort = innerSrcPort; pInnerDstPort = innerDstPort;
}
