package machine

import (
	"github.com/vmemu/vmemu/disk"
	"github.com/vmemu/vmemu/machine/config"
	kernel "github.com/vmemu/vmemu/os"
)

// buildDisk gives the kernel a disk with a file system and a swap area.
func (m *Machine) buildDisk(r *config.Reader, k *kernel.Kernel) error {
	model := r.Str("disk.model")
	if model == "none" {
		return nil
	}
	dev, err := disk.NewPreset(model, m.freqHz)
	if err != nil {
		return &config.Error{Where: r.Config.Origin("disk.model"), Key: "disk.model", Msg: err.Error()}
	}
	bs := uint64(dev.BlockSize())
	swapBlocks := (r.Bytes("disk.swap") + bs - 1) / bs
	if swapBlocks >= dev.Blocks() {
		return &config.Error{Where: r.Config.Origin("disk.swap"), Key: "disk.swap", Msg: "leaves no room for files"}
	}
	fs, err := disk.NewFS(dev, 0, dev.Blocks()-swapBlocks)
	if err != nil {
		return &config.Error{Where: r.Config.Origin("disk.swap"), Key: "disk.swap", Msg: err.Error()}
	}
	var swap *disk.Swap
	if swapBlocks > 0 {
		if swap, err = disk.NewSwap(dev, dev.Blocks()-swapBlocks, swapBlocks, int(uint64(1)<<m.Geometry.PageShift)); err != nil {
			return &config.Error{Where: r.Config.Origin("disk.swap"), Key: "disk.swap", Msg: err.Error()}
		}
		swap.RegisterStats(&m.Stats, "swap")
	}
	dev.RegisterStats(&m.Stats, "disk")
	k.SetDisk(fs, swap)
	m.Disk = dev
	return nil
}
