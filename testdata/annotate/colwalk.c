/* A matrix summed row by row, then column by column: the column walk
   misses the first-level cache on every load, the row walk once a line.
   Built without the C library (make.sh), so that its trace is its own. */
#define N 128

static long m[N][N];

__attribute__((noinline)) static long rows(void)
{
	long s = 0;
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++)
			s += m[i][j];
	return s;
}

__attribute__((noinline)) static long columns(void)
{
	long s = 0;
	for (int j = 0; j < N; j++)
		for (int i = 0; i < N; i++)
			s += m[i][j];
	return s;
}

void _start(void)
{
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++)
			m[i][j] = i ^ j;
	long s = rows() - columns();
	__asm__ volatile("syscall" : : "a"(60), "D"(s) : "rcx", "r11", "memory");
	for (;;)
		;
}
