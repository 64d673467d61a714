#!/usr/bin/env bash
# Starts a single-node Slurm (munged, slurmctld, slurmd) on this machine for coin's Slurm tests and
# CI, as root, without systemd. Idempotent: exits at once when the node already answers.
# Needs Debian's slurm-wlm and munge (apt-get install slurm-wlm munge). Config and state live in
# $COIN_SLURM_DIR (default /tmp/coin-slurm); /etc/slurm/slurm.conf points there (it is written only
# if absent or written by this script, so a real cluster's config is never touched).
set -euo pipefail

dir="${COIN_SLURM_DIR:-/tmp/coin-slurm}"
conf=/etc/slurm/slurm.conf
marker='# written by coin .ci/slurm-up.sh'

node_up() { sinfo -h -o %T 2>/dev/null | grep -Eqx 'idle|mixed|allocated|completing'; }

if command -v sinfo >/dev/null && node_up; then exit 0; fi
for cmd in munged slurmctld slurmd sbatch; do
  command -v "$cmd" >/dev/null || [ -x "/usr/sbin/$cmd" ] || { echo "slurm-up: $cmd not installed (apt-get install slurm-wlm munge)" >&2; exit 1; }
done
if [ -e "$conf" ] && ! grep -qF "$marker" "$conf"; then
  echo "slurm-up: $conf exists and is not ours; not touching it" >&2
  exit 1
fi

mkdir -p "$dir/ctld" "$dir/d" "$dir/log" /etc/slurm
cpus=$(nproc)
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 8 / 10 ))
cat > "$conf" <<CONF
$marker
ClusterName=coin
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
MailProg=/bin/true
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/d
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.log
MinJobAge=300
MaxArraySize=10001
MaxJobCount=100000
NodeName=localhost CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF

if ! (munge -n 2>/dev/null | unmunge >/dev/null 2>&1); then
  [ -s /etc/munge/munge.key ] || { /usr/sbin/mungekey -c 2>/dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
  mkdir -p /run/munge && chown munge:munge /run/munge
  runuser -u munge -- /usr/sbin/munged
fi
pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld -i
pgrep -x slurmd >/dev/null || /usr/sbin/slurmd -N localhost

for _ in $(seq 1 300); do
  if node_up; then exit 0; fi
  sleep 0.1
done
echo "slurm-up: the node did not come up; logs in $dir/log" >&2
tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
exit 1
