// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The worker parses everything the gateway sends, so it must hold nothing worth stealing:
 * no root ids, no capabilities, no way to gain any (NO_NEW_PRIVS), and, with libseccomp, no
 * system calls beyond what the data path needs.  It never opens files: the tun device and the
 * client certificate come as descriptors.
 *
 * Sanitizer builds: the ASan/LSan runtime needs a few more calls (reading /proc/self/maps,
 * the leak checker's ptrace-based stop-the-world at exit).  When compiled with
 * -fsanitize=address the allow-list adds exactly those; release builds never have them.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef HAVE_SECCOMP
#include <seccomp.h>
#endif

#include "error.h"
#include "log.h"
#include "worker.h"

#if defined(__SANITIZE_ADDRESS__)
#define WORKER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WORKER_SANITIZER 1
#endif
#endif

int worker_priv_check(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid, groups[64];
	int n;

	if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0) {
		log_error("cannot read my user and group ids");
		return -ERR_ACCESS_DENIED;
	}
	if (ruid == 0 || euid == 0 || suid == 0) {
		log_error("refusing to run as root (uid %u/%u/%u): the worker must be started by "
		          "sslvpn-helper as the unprivileged worker user",
		          ruid, euid, suid);
		return -ERR_ACCESS_DENIED;
	}
	if (rgid == 0 || egid == 0 || sgid == 0) {
		log_error("refusing to run with group root (gid %u/%u/%u)", rgid, egid, sgid);
		return -ERR_ACCESS_DENIED;
	}
	n = getgroups((int)(sizeof(groups) / sizeof(groups[0])), groups);
	if (n < 0) {
		log_error("too many supplementary groups");
		return -ERR_ACCESS_DENIED;
	}
	for (int i = 0; i < n; i++) {
		if (groups[i] == 0) {
			log_error("refusing to run with supplementary group root");
			return -ERR_ACCESS_DENIED;
		}
	}
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0) {
		log_error("cannot read my capabilities: %s", strerror(errno));
		return -ERR_ACCESS_DENIED;
	}
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		if (data[i].effective || data[i].permitted) {
			log_error(
			    "refusing to run with capabilities (effective %08x, permitted %08x)",
			    data[i].effective, data[i].permitted);
			return -ERR_ACCESS_DENIED;
		}
		if (data[i].inheritable)
			log_warning(
			    "inheritable capabilities %08x set (harmless without ambient or "
			    "file capabilities, which NO_NEW_PRIVS rules out)",
			    data[i].inheritable);
	}
	return 0;
}

#ifdef HAVE_SECCOMP
/* SIGSYS from a refused call: say which one (async-signal-safe), then die. */
static void worker_priv_sigsys(int sig, siginfo_t *info, void *ctx)
{
	char buf[96];
	int nr = info->si_syscall, len;

	(void)sig;
	(void)ctx;
	len =
	    snprintf(buf, sizeof(buf), "<2>seccomp: system call %d is not allowed; exiting\n", nr);
	if (len > 0)
		(void)!write(STDERR_FILENO, buf, (size_t)len);
	_exit(159);
}

static int worker_priv_seccomp(void)
{
	static const int allowed[] = {
	    /* memory, threads of the C library, time */
	    SCMP_SYS(brk),
	    SCMP_SYS(mmap),
	    SCMP_SYS(munmap),
	    SCMP_SYS(mremap),
	    SCMP_SYS(mprotect),
	    SCMP_SYS(madvise),
	    SCMP_SYS(futex),
	    SCMP_SYS(getrandom),
	    SCMP_SYS(clock_gettime),
	    SCMP_SYS(clock_nanosleep),
	    SCMP_SYS(nanosleep),
	    SCMP_SYS(gettimeofday),
	    SCMP_SYS(time),
	    SCMP_SYS(restart_syscall),
	    SCMP_SYS(rt_sigreturn),
	    SCMP_SYS(rt_sigprocmask),
	    SCMP_SYS(rt_sigaction),
	    SCMP_SYS(exit),
	    SCMP_SYS(exit_group),
	    SCMP_SYS(getpid),
	    SCMP_SYS(gettid),
	    SCMP_SYS(getuid),
	    SCMP_SYS(geteuid),
	    SCMP_SYS(getgid),
	    SCMP_SYS(getegid),
	    SCMP_SYS(uname),
	    SCMP_SYS(sched_yield),
	    /* I/O on descriptors we hold: tun, helper socket, gateway socket, cert fds */
	    SCMP_SYS(read),
	    SCMP_SYS(write),
	    SCMP_SYS(readv),
	    SCMP_SYS(writev),
	    SCMP_SYS(pread64),
	    SCMP_SYS(close),
	    SCMP_SYS(lseek),
	    SCMP_SYS(fstat),
	    SCMP_SYS(newfstatat),
	    SCMP_SYS(statx),
	    SCMP_SYS(fcntl),
	    SCMP_SYS(dup),
	    SCMP_SYS(poll),
	    SCMP_SYS(ppoll),
	    /* the gateway connection (socket() is narrowed below) */
	    SCMP_SYS(connect),
	    SCMP_SYS(getsockopt),
	    SCMP_SYS(setsockopt),
	    SCMP_SYS(getsockname),
	    SCMP_SYS(getpeername),
	    SCMP_SYS(sendto),
	    SCMP_SYS(recvfrom),
	    SCMP_SYS(sendmsg),
	    SCMP_SYS(recvmsg),
	    SCMP_SYS(sendmmsg),
	    SCMP_SYS(recvmmsg),
	    SCMP_SYS(shutdown),
#ifdef WORKER_SANITIZER
	    SCMP_SYS(sigaltstack),
	    SCMP_SYS(prctl),
	    SCMP_SYS(openat),
	    SCMP_SYS(open),
	    SCMP_SYS(readlink),
	    SCMP_SYS(readlinkat),
	    SCMP_SYS(getdents64),
	    SCMP_SYS(clone),
	    SCMP_SYS(clone3),
	    SCMP_SYS(ptrace),
	    SCMP_SYS(wait4),
	    SCMP_SYS(waitid),
	    SCMP_SYS(getppid),
	    SCMP_SYS(set_robust_list),
	    SCMP_SYS(rseq),
	    SCMP_SYS(pipe2),
	    SCMP_SYS(kill),
	    SCMP_SYS(tgkill),
	    SCMP_SYS(sched_getaffinity),
	    SCMP_SYS(munlock),
	    SCMP_SYS(mlock),
	    SCMP_SYS(getrlimit),
	    SCMP_SYS(prlimit64),
	    SCMP_SYS(ioctl),
	    /* x86-64 sanitizer runtimes use the legacy calls, not the *at() ones */
	    SCMP_SYS(getdents),
	    SCMP_SYS(stat),
	    SCMP_SYS(lstat),
	    SCMP_SYS(access),
	    SCMP_SYS(pipe),
	    SCMP_SYS(dup2),
	    SCMP_SYS(dup3),
	    SCMP_SYS(arch_prctl),
	    SCMP_SYS(mincore),
	    SCMP_SYS(process_vm_readv),
	    SCMP_SYS(rt_sigtimedwait),
#endif
	};
	struct sigaction sa = {.sa_sigaction = worker_priv_sigsys, .sa_flags = SA_SIGINFO};
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	int r = 0;

	if (!ctx)
		return -ERR_NOMEM;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0) {
		seccomp_release(ctx);
		return -ERR_INTERNAL;
	}
	for (size_t i = 0; r == 0 && i < sizeof(allowed) / sizeof(allowed[0]); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	/* New TCP connections to the gateway (reconnect) and UDP sockets for DTLS (one per try),
	 * IPv4 or IPv6, nothing else (the type is masked: SOCK_NONBLOCK/SOCK_CLOEXEC may be set). */
	for (int fam = 0; fam < 2; fam++) {
		for (int ty = 0; ty < 2; ty++) {
			if (r == 0)
				r = seccomp_rule_add(
				    ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2,
				    SCMP_A0(SCMP_CMP_EQ, fam ? AF_INET6 : AF_INET),
				    SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, ty ? SOCK_DGRAM : SOCK_STREAM));
		}
	}
#ifndef WORKER_SANITIZER
	pid_t self = getpid();

	/* abort() signals itself; nobody else. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
		                     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)self));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1,
		                     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)self));
	/* Opening anything fails cleanly (a library that tries gets EACCES, not a crash). */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 0);
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(open), 0);
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 0);
#endif
	/* Library look-ups (nscd, netlink) fail cleanly; any other family traps. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
		                     SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
		                     SCMP_A0(SCMP_CMP_EQ, AF_NETLINK));
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0) {
		log_error("cannot install the seccomp filter: %s", strerror(-r));
		return -ERR_INTERNAL;
	}
	log_debug("seccomp filter installed%s",
#ifdef WORKER_SANITIZER
	          " (with the extra calls a sanitizer build needs)"
#else
	          ""
#endif
	);
	return 0;
}
#endif

int worker_priv_lockdown(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_error("PR_SET_NO_NEW_PRIVS failed: %s", strerror(errno));
		return -ERR_INTERNAL;
	}
#ifndef WORKER_SANITIZER
	/* Nothing of ours in a core dump (the cookie), and no ptrace by the same user.  (The
	 * leak checker of a sanitizer build must read /proc/self/task, which this forbids.) */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		log_warning("PR_SET_DUMPABLE failed: %s", strerror(errno));
#endif
#ifdef HAVE_SECCOMP
	return worker_priv_seccomp();
#else
	log_warning("built without libseccomp: no system call filter");
	return 0;
#endif
}
