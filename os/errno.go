package os

import "fmt"

// Errno is a system call's error, with Linux's numbers.
type Errno int

const (
	OK      Errno = 0
	EPERM   Errno = 1
	ENOENT  Errno = 2
	ESRCH   Errno = 3
	EBADF   Errno = 9
	ECHILD  Errno = 10
	ENOMEM  Errno = 12
	EACCES  Errno = 13
	EFAULT  Errno = 14
	EEXIST  Errno = 17
	EINVAL  Errno = 22
	ENOSPC  Errno = 28
	ENOEXEC Errno = 8
	EFBIG   Errno = 27
	EDEADLK Errno = 35
)

var errnoNames = map[Errno]string{
	OK: "OK", EPERM: "EPERM", ENOENT: "ENOENT", EBADF: "EBADF", ECHILD: "ECHILD", ENOMEM: "ENOMEM",
	EACCES: "EACCES", EFAULT: "EFAULT", EEXIST: "EEXIST", EINVAL: "EINVAL", ENOSPC: "ENOSPC", ENOEXEC: "ENOEXEC",
	EFBIG: "EFBIG", ESRCH: "ESRCH", EDEADLK: "EDEADLK",
}

func (e Errno) String() string {
	if s, ok := errnoNames[e]; ok {
		return s
	}
	return fmt.Sprintf("errno %d", int(e))
}

func (e Errno) Error() string { return e.String() }

// Protections and mapping flags, with Linux's values.
const (
	ProtNone  = 0
	ProtRead  = 1
	ProtWrite = 2
	ProtExec  = 4

	MapShared    = 0x01
	MapPrivate   = 0x02
	MapFixed     = 0x10
	MapAnonymous = 0x20
	MapPopulate  = 0x8000 // fault every page in at once
	MapHugeTLB   = 0x40000
	// MapHugeShift is where MAP_HUGETLB's flags hold log2 of the page size.
	MapHugeShift = 26
	MapHuge2MB   = 21 << MapHugeShift
	MapHuge1GB   = 30 << MapHugeShift

	// madvise(2) advice.
	MadvNormal     = 0
	MadvRandom     = 1
	MadvSequential = 2
	MadvWillneed   = 3
	MadvDontneed   = 4
	MadvHugepage   = 14
	MadvNohugepage = 15

	// posix_fadvise(2) advice.
	FadvNormal     = 0
	FadvRandom     = 1
	FadvSequential = 2
	FadvWillneed   = 3
	FadvDontneed   = 4

	OpenRead   = 0
	OpenWrite  = 1
	OpenRDWR   = 2
	OpenCreate = 0x40
	OpenTrunc  = 0x200
)
