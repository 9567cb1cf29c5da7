package replacement

// FIFO replaces the way filled longest ago: a hit does not save a line.
const FIFO = "fifo"

func init() {
	Register(FIFO, Registration{New: func(c Config) Policy { return &fifo{newStamps(c)} }, Bytes: stampBytes})
}

// fifo stamps a way when it is filled (stamps is in lru.go).
type fifo struct{ stamps }

func (p *fifo) Update(a Access) {
	if !a.Hit {
		p.stamp(a.Set, a.Way)
	}
}

func (p *fifo) Victim(a Access) int { return p.oldest(a.Set) }
