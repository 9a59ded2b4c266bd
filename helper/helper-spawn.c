// SPDX-License-Identifier: GPL-2.0-or-later
#include "helper-spawn.h"

#include "helper-accounts.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/if_tun.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "error.h"
#include "log.h"
#include "worker-msg.h"

#define WORKER_NAME "sslvpn-worker"

int helper_spawn_tun(bool vnet_hdr, char ifname[IFNAMSIZ], int *ifindex, int *fd_out)
{
	_cleanup_close_ int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	struct ifreq ifr;
	unsigned idx;

	if (fd < 0) {
		log_error("cannot open /dev/net/tun: %m");
		return -ERR_NETWORK_CONFIG;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (vnet_hdr ? IFF_VNET_HDR : 0);
	/* The kernel picks the first free sslvpnN. */
	strcpy(ifr.ifr_name, "sslvpn%d");
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		log_error("cannot create a tun device: %m");
		return -ERR_NETWORK_CONFIG;
	}
	ifr.ifr_name[IFNAMSIZ - 1] = '\0';
	idx = if_nametoindex(ifr.ifr_name);
	if (idx == 0) {
		log_error("tun device %s has no index: %m", ifr.ifr_name);
		return -ERR_NETWORK_CONFIG;
	}
	memcpy(ifname, ifr.ifr_name, IFNAMSIZ);
	*ifindex = (int)idx;
	*fd_out = steal_fd(&fd);
	return 0;
}

int helper_spawn_worker_user(uid_t *uid, gid_t *gid)
{
	static bool resolved;
	static uid_t cached_uid;
	static gid_t cached_gid;
	int r;

	if (!resolved) {
		/* Never a shared account such as nobody: any other process of that uid could
		 * signal or trace the worker, and with it read the cookie and use the tun fd. */
		r = helper_accounts_user(WORKER_USER, &cached_uid, &cached_gid);
		if (r < 0) {
			log_error("user %s does not exist, and the worker runs only as that user: "
			          "create it as the package does (systemd-sysusers sslvpn.sysusers)",
			          WORKER_USER);
			return -ERR_WORKER_USER;
		}
		if (cached_uid == 0 || cached_gid == 0) {
			log_error("user %s is root; the worker must run unprivileged", WORKER_USER);
			return -ERR_WORKER_USER;
		}
		resolved = true;
	}
	*uid = cached_uid;
	*gid = cached_gid;
	return 0;
}

/* Only async-signal-safe calls from here to the exec: report errno through the pipe. */
__attribute__((noreturn)) static void child_fail(int pipe_fd, int step)
{
	int msg[2] = {step, errno};

	if (write(pipe_fd, msg, sizeof(msg)) < 0) {
		/* Nothing left to tell anyone. */
	}
	_exit(127);
}

enum child_step {
	STEP_FDS = 1,
	STEP_SIGNALS,
	STEP_GROUPS,
	STEP_GID,
	STEP_UID,
	STEP_VERIFY,
	STEP_NNP,
	STEP_PDEATH,
	STEP_EXEC,
};

static const char *const child_step_name[] = {
    [STEP_FDS] = "arranging file descriptors",
    [STEP_SIGNALS] = "resetting signals",
    [STEP_GROUPS] = "clearing groups",
    [STEP_GID] = "setresgid",
    [STEP_UID] = "setresuid",
    [STEP_VERIFY] = "verifying the dropped privileges",
    [STEP_NNP] = "PR_SET_NO_NEW_PRIVS",
    [STEP_PDEATH] = "PR_SET_PDEATHSIG",
    [STEP_EXEC] = "exec",
};

__attribute__((noreturn)) static void child(int sock, int tun_fd, int pipe_fd, uid_t uid, gid_t gid,
                                            pid_t parent, const char *path, char *const envp[])
{
	char *const argv[] = {(char *)WORKER_NAME, NULL};
	sigset_t all;
	int devnull, s, t, p;

	/* Park everything above the target numbers first so that no dup2 clobbers a source. */
	s = fcntl(sock, F_DUPFD_CLOEXEC, 10);
	t = fcntl(tun_fd, F_DUPFD_CLOEXEC, 10);
	p = fcntl(pipe_fd, F_DUPFD_CLOEXEC, 10);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (s < 0 || t < 0 || p < 0 || devnull < 0)
		child_fail(pipe_fd, STEP_FDS);
	pipe_fd = p;
	if (dup2(devnull, 0) < 0 || dup2(s, HELPER_SPAWN_SOCKET_FD) < 0 ||
	    dup2(t, HELPER_SPAWN_TUN_FD) < 0)
		child_fail(pipe_fd, STEP_FDS);
	/* Everything else goes (the bus connection, other connections' sockets and tun fds);
	 * the error pipe is close-on-exec. */
	for (int fd = HELPER_SPAWN_TUN_FD + 1; fd < 10; fd++)
		close(fd);
	if (close_range(10, ~0U, CLOSE_RANGE_CLOEXEC) < 0 && errno != ENOSYS)
		child_fail(pipe_fd, STEP_FDS);
	if (fcntl(pipe_fd, F_SETFD, FD_CLOEXEC) < 0)
		child_fail(pipe_fd, STEP_FDS);

	sigfillset(&all);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	if (sigprocmask(SIG_UNBLOCK, &all, NULL) < 0)
		child_fail(pipe_fd, STEP_SIGNALS);

	if (setgroups(0, NULL) < 0)
		child_fail(pipe_fd, STEP_GROUPS);
	if (setresgid(gid, gid, gid) < 0)
		child_fail(pipe_fd, STEP_GID);
	if (setresuid(uid, uid, uid) < 0)
		child_fail(pipe_fd, STEP_UID);
	{
		uid_t ru, eu, su;
		gid_t rg, eg, sg;

		/* Make sure there is no way back (setresuid(0) must now fail). */
		if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 || ru != uid ||
		    eu != uid || su != uid || rg != gid || eg != gid || sg != gid ||
		    setresuid(0, 0, 0) == 0 || getgroups(0, NULL) != 0) {
			errno = EPERM;
			child_fail(pipe_fd, STEP_VERIFY);
		}
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail(pipe_fd, STEP_NNP);
	/* Set after the uid change, which clears it; if the helper is already gone, stop. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		child_fail(pipe_fd, STEP_PDEATH);
	if (getppid() != parent)
		_exit(0);

	execve(path, argv, envp);
	child_fail(pipe_fd, STEP_EXEC);
}

static char **worker_env(void)
{
	static const char *const keep[] = {"SSLVPN_DEBUG", "ASAN_OPTIONS", "UBSAN_OPTIONS",
	                                   "LSAN_OPTIONS"};
	char **env = calloc(sizeof(keep) / sizeof(keep[0]) + 1, sizeof(char *));
	size_t n = 0;

	if (!env)
		return NULL;
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		const char *v = getenv(keep[i]);

		if (!v)
			continue;
		if (asprintf(&env[n], "%s=%s", keep[i], v) < 0) {
			env[n] = NULL;
			break;
		}
		n++;
	}
	return env;
}

static void env_free(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

int helper_spawn_worker(int tun_fd, pid_t *pid_out, int *sock_out)
{
	_cleanup_close_ int parent_end = -1;
	_cleanup_close_ int child_end = -1;
	_cleanup_close_ int pipe_r = -1;
	_cleanup_close_ int pipe_w = -1;
	const char *path = getenv("SSLVPN_WORKER");
	char **env;
	int sv[2], pp[2], msg[2], r;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	ssize_t n;

	if (!path || !*path)
		path = LIBEXECDIR "/" WORKER_NAME;
	r = helper_spawn_worker_user(&uid, &gid);
	if (r < 0)
		return r;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_error("socketpair: %m");
		return -ERR_INTERNAL;
	}
	parent_end = sv[0];
	child_end = sv[1];
	if (worker_msg_socket_size(parent_end) < 0 || worker_msg_socket_size(child_end) < 0) {
		log_error("worker socket buffer: %m");
		return -ERR_INTERNAL;
	}
	if (pipe2(pp, O_CLOEXEC) < 0) {
		log_error("pipe: %m");
		return -ERR_INTERNAL;
	}
	pipe_r = pp[0];
	pipe_w = pp[1];
	env = worker_env();
	if (!env)
		return -ERR_NOMEM;

	pid = fork();
	if (pid < 0) {
		log_error("fork: %m");
		env_free(env);
		return -ERR_INTERNAL;
	}
	if (pid == 0) {
		close(parent_end);
		close(pipe_r);
		child(child_end, tun_fd, pipe_w, uid, gid, getppid(), path, env);
	}
	env_free(env);
	close(steal_fd(&pipe_w));
	close(steal_fd(&child_end));

	/* EOF: the exec closed the pipe.  Otherwise the child tells which step failed. */
	do {
		n = read(pipe_r, msg, sizeof(msg));
	} while (n < 0 && errno == EINTR);
	if (n != 0) {
		int step = n == sizeof(msg) ? msg[0] : 0;

		errno = n == sizeof(msg) ? msg[1] : EIO;
		log_error("cannot start %s: %s: %m", path,
		          step > 0 && step <= STEP_EXEC ? child_step_name[step] : "unknown step");
		/* The child has exited (or will at once); the SIGCHLD handler reaps it. */
		*pid_out = pid;
		return -ERR_INTERNAL;
	}
	if (fcntl(parent_end, F_SETFL, O_NONBLOCK) < 0) {
		log_error("fcntl: %m");
		kill(pid, SIGKILL);
		*pid_out = pid;
		return -ERR_INTERNAL;
	}
	*pid_out = pid;
	*sock_out = steal_fd(&parent_end);
	log_info("worker %d started (%s, uid %u)", (int)pid, path, (unsigned)uid);
	return 0;
}
