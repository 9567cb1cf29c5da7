package sim

// MaxCores is the most cores a machine has: the masks that name cores (a
// directory's sharers, the cores an address space has run on) are one
// 64-bit word.
const MaxCores = 64
