package traces

// WithoutFetches reads r without its fetch records, as the Cache Lab
// reference simulator reads a trace (it skips I lines): the loads, stores
// and modifies, in order.
func WithoutFetches(r Reader) Reader { return &noFetches{Reader: r} }

type noFetches struct {
	Reader
	err error // what r returned with the records handed out last
}

// Read returns n > 0 with a nil error, or 0 with an error; it reads on past
// batches of fetches alone.
func (f *noFetches) Read(recs []Record) (int, error) {
	for f.err == nil {
		n, err := f.Reader.Read(recs)
		k := 0
		for _, rec := range recs[:n] {
			if rec.Op != Fetch {
				recs[k] = rec
				k++
			}
		}
		f.err = err
		if k > 0 {
			return k, nil
		}
	}
	return 0, f.err
}
