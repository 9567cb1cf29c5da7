#include "textflag.h"

// func hostPrefetch(a, b, c unsafe.Pointer, n uintptr)
TEXT ·hostPrefetch(SB), NOSPLIT, $0-32
	MOVQ a+0(FP), AX
	PREFETCHNTA (AX)
	MOVQ b+8(FP), AX
	PREFETCHNTA (AX)
	MOVQ c+16(FP), AX
	MOVQ n+24(FP), CX
more:
	PREFETCHNTA (AX)
	ADDQ $64, AX
	SUBQ $64, CX
	JGT more
	RET
