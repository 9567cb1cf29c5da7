package sim

// Queue is a first-in first-out ring of T that grows when full (to a power
// of two, so a position is a mask, not a division) and reuses its array:
// once it has grown to the most ever waiting, pushing allocates nothing.
// The zero Queue is empty and ready to use.
type Queue[T any] struct {
	buf        []T
	head, size int
}

// Len is the number of elements queued.
func (q *Queue[T]) Len() int { return q.size }

// Front is the oldest element; the queue must not be empty.
func (q *Queue[T]) Front() *T { return &q.buf[q.head] }

// At is the i-th oldest element (0 is Front).
func (q *Queue[T]) At(i int) *T { return &q.buf[(q.head+i)&(len(q.buf)-1)] }

// Push adds v at the back.
func (q *Queue[T]) Push(v T) {
	if q.size == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.size)&(len(q.buf)-1)] = v
	q.size++
}

// Pop removes and returns the oldest element; the queue must not be empty.
func (q *Queue[T]) Pop() T {
	var zero T
	v := q.buf[q.head]
	q.buf[q.head] = zero // drop what it points to, for the collector
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.size--
	return v
}

func (q *Queue[T]) grow() {
	buf := make([]T, max(8, 2*len(q.buf)))
	for i := range q.size {
		buf[i] = *q.At(i)
	}
	q.buf, q.head = buf, 0
}
