//go:build !unix

package dram

func cpuSeconds() float64 { return 0 }
