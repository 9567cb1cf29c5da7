// Package explain breaks one load down as a textbook exercise does (CS:APP
// 3e, section 9.6.4): VPN and VPO, TLB index and tag, TLB hit or miss, each
// page-walk step and the level that supplied its entry, page fault or not,
// PPN and physical address, the cache's tag, index and offset, hit or
// miss, and the byte there. The load takes the machine's one memory side
// (memside) and everything is read from its outcome. Faults are not
// mended: an unmapped page is reported as a page fault.
package explain
