#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test-scenarios.sh - stage `testhost-scenarios` of scripts/run-tests.sh.
#
# Builds the scenario VMM, boots the emulated arm64 KVM host once per
# variant (VHE, nVHE, GICv2 host) and runs every scenario there UNTRACED.
# Each scenario's VT_GROUND_TRUTH line (counted by the guest and the VMM,
# never by a tracer) is judged against what the selected kernel was
# measured to do: one table per kernel below, the same as in
# docs/kernel-<version>-behaviour.md. TAP output; on a failure the count
# that was off, the VMM's stderr and that scenario's part of the serial log.
#
#   VT_KERNEL=6.1|6.12|7.2         the host kernel (default 6.1)
#   VT_VARIANTS="vhe nvhe gicv2"   variants to run (default: all three)
#   VT_SCENARIOS="healthy storm"   scenarios to run (default: all)
#   VT_JUDGE_ONLY=1                no boots: judge the results already in
#                                  build/out/testhost-$VT_KERNEL/<variant>/ again
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
. scripts/testhost/kernel-env.sh >/dev/null || { echo "Bail out! kernel $VT_KERNEL not available"; exit 1; }
outdir=$top/build/out/testhost-$VT_KERNEL
t_start=$(date +%s)

die() { echo "Bail out! $*"; exit 1; }

bash scripts/testhost/fetch.sh >/dev/null || die "fetch.sh failed"
make -s -C scripts/vmm >/dev/null || die "make -C scripts/vmm failed"
[ -x build/arm64/vmm ] || die "build/arm64/vmm missing after make"

# name | vmm arguments (@EDU: edu bound to vfio-pci, @EDU_NOMASK: with nointxmask=1)
all_scenarios=(
	"healthy|--scenario healthy"
	"no-resample|--scenario no-resample"
	"guest-no-eoi|--scenario guest-no-eoi"
	"icactiver|--scenario icactiver"
	"icpendr|--scenario icpendr"
	"storm|--scenario storm"
	"lr-overflow|--scenario lr-overflow"
	"lr-overflow-asc|--scenario lr-overflow-asc"
	"migrate|--scenario migrate --vcpus 2"
	"migrate-4vcpu|--scenario migrate --vcpus 4"
	"vfio|--scenario vfio --vfio @EDU"
	"no-resample-vfio|--scenario no-resample --vfio @EDU"
	"guest-no-eoi-vfio|--scenario guest-no-eoi --vfio @EDU"
	"storm-vfio|--scenario storm --vfio @EDU"
	"mem-ack|--scenario mem-ack"
	"vfio-mmap|--scenario vfio-mmap --vfio @EDU"
	"vfio-nointxmask|--scenario vfio --vfio @EDU_NOMASK"
	"storm-vfio-nointxmask|--scenario storm --vfio @EDU_NOMASK"
	"no-resample-vfio-nointxmask|--scenario no-resample --vfio @EDU_NOMASK"
	"vfio-mmap-nointxmask|--scenario vfio-mmap --vfio @EDU_NOMASK"
)

# ---- expected ground truth, one table per kernel ---------------------------
# key=EXPR (bash arithmetic over the line's own keys) or key=LOW..HIGH.
# A table's key is a scenario name (every host) or NAME@gicv3 (the VHE and
# nVHE hosts only; it takes precedence there). Each table is the kernel's
# whole expectation; docs/kernel-<version>-behaviour.md explains each row.

# Debian 6.1 (bookworm): the same on VHE, nVHE and GICv2 hosts.
declare -A expect_6_1=(
	[healthy]="status=done taken=rounds eoi=rounds raise=rounds device_ack=rounds trigger=rounds resample=rounds retrigger=0 missed=0 missed_resample=0 spurious=0"
	[no-resample]="status=done raise=rounds trigger=rounds resample=0 taken=100 eoi=100 missed=0"
	[guest-no-eoi]="status=done taken=1 eoi=0 raise=rounds missed=rounds-1 resample=0 missed_resample=1"
	[icactiver]="status=done raise=1 trigger=1 taken=rounds eoi=rounds icactiver=rounds resample=0 missed=0 missed_resample=1"
	[icpendr]="status=done raise=rounds icpendr=rounds still_pending=rounds taken=rounds eoi=rounds resample=rounds missed=0 missed_resample=0"
	[storm]="status=done raise=1 device_ack=1 taken=rounds eoi=rounds resample=rounds retrigger=rounds-1 trigger=rounds missed=0 missed_resample=0"
	[lr-overflow]="status=done dir=6+4*rounds resample_mask=0xf active_after=0x30 post_mask=0xf post_taken=4*rounds resample=4+4*rounds missed=rounds"
	[lr-overflow-asc]="status=done dir=6+6*rounds resample_mask=0x3f active_after=0 post_mask=0x3f post_taken=6*rounds resample=6+6*rounds missed=0"
	[migrate]="status=done taken=rounds eoi=rounds retarget=rounds resample=rounds taken_v0=(rounds+1)/2 taken_v1=rounds/2 missed=0 missed_resample=0"
	[migrate-4vcpu]="status=done vcpus=4 taken=rounds eoi=rounds retarget=rounds resample=rounds taken_v0=rounds/4 taken_v1=rounds/4 taken_v2=rounds/4 taken_v3=rounds/4 missed=0"
	[vfio]="status=done nointxmask=0 raise=rounds taken=rounds eoi=rounds device_ack=rounds host_irq=rounds missed=0 spurious=0"
	[no-resample-vfio]="status=done nointxmask=0 raise=rounds host_irq=1 taken=100 eoi=100"
	[guest-no-eoi-vfio]="status=done nointxmask=0 raise=rounds host_irq=1 taken=1 eoi=0 missed=rounds-1"
	[storm-vfio]="status=done nointxmask=0 raise=1 device_ack=1 taken=rounds eoi=rounds host_irq=1 missed=0"
	[mem-ack]="status=done raise=rounds taken=rounds eoi=rounds guest_ack=rounds device_ack=rounds phantom=0 trigger=rounds resample=rounds retrigger=0 missed=0 missed_resample=0"
	[vfio-mmap]="status=done nointxmask=0 guest_raise=rounds taken=rounds eoi=rounds guest_ack=rounds phantom=0 host_irq=rounds missed=0 edu_status=0"
	[vfio-nointxmask]="status=done nointxmask=1 raise=rounds taken=rounds eoi=rounds device_ack=rounds host_irq=rounds missed=0 spurious=0"
	[no-resample-vfio-nointxmask]="status=done nointxmask=1 raise=rounds host_irq=1 taken=100 eoi=100"
	[storm-vfio-nointxmask]="status=done nointxmask=1 raise=1 device_ack=1 taken=rounds eoi=rounds host_irq=rounds missed=0"
	[vfio-mmap-nointxmask]="status=done nointxmask=1 guest_raise=rounds taken=rounds eoi=rounds guest_ack=rounds phantom=0 host_irq=rounds missed=0 edu_status=0"
)

# Debian 6.12 (bookworm-security): measured identical to 6.1 in every
# scenario on every host, lr-overflow's 2 lost deactivations included.
declare -A expect_6_12=()
for k in "${!expect_6_1[@]}"; do expect_6_12[$k]=${expect_6_1[$k]}; done

# Debian 7.2 (sid): as 6.1 except the rows below. GICv3 only (@gicv3):
# vgic_v3_fold_lr() notifies the ack only for an LR it saw active before
# (`deactivated`), so a level SPI taken and EOI'd within one run gets no
# resample and stays high: storm 1 resample (2 when an exit happened to
# land while it was active, as seen once in 6 runs), icpendr and mem-ack/vfio-mmap
# re-deliver thousands of times (phantom), vfio-mmap's INTx stays masked
# until an exit happens while the SPI is active. The GICv2 host keeps 6.1's
# behaviour there. Every host: lr-overflow loses nothing (6.19+ traps DIR
# and replays EOIcount), the same as lr-overflow-asc. icpendr: the guest
# waits each round until the resamples (one per round) reach its deliveries
# so far, so every round from the first that stormed misses: 1..rounds (the
# last one at least, as taken > rounds). 2 of 3 seen once (CI of 8a916a0):
# a first round with a single delivery.
declare -A expect_7_2=()
for k in "${!expect_6_1[@]}"; do expect_7_2[$k]=${expect_6_1[$k]}; done
expect_7_2+=(
	[lr-overflow]="status=done dir=6+6*rounds resample_mask=0x3f active_after=0 post_mask=0x3f post_taken=6*rounds resample=6+6*rounds missed=0"
	[storm@gicv3]="status=done raise=1 device_ack=1 taken=rounds eoi=rounds resample=1..rounds/2 retrigger=resample-1 trigger=resample missed=0 missed_resample=1"
	[icpendr@gicv3]="status=done raise=rounds icpendr=rounds still_pending=rounds taken=rounds+1..1000000 eoi=taken resample=rounds missed=0 missed_resample=1..rounds"
	[storm-vfio-nointxmask@gicv3]="status=done nointxmask=1 raise=1 device_ack=1 taken=rounds eoi=rounds host_irq=1..rounds/2 missed=0"
	[mem-ack@gicv3]="status=done raise=rounds phantom=1..20000 taken=guest_ack+phantom eoi=taken device_ack=guest_ack missed=rounds-guest_ack resample=1..device_ack retrigger=0"
	[vfio-mmap@gicv3]="status=done nointxmask=0 guest_raise=rounds phantom=1..20000 taken=guest_ack+phantom eoi=taken missed=rounds-guest_ack host_irq=guest_ack..guest_ack+1 edu_status=missed>0"
	[vfio-mmap-nointxmask@gicv3]="status=done nointxmask=1 guest_raise=rounds phantom=1..20000 taken=guest_ack+phantom eoi=taken missed=rounds-guest_ack host_irq=guest_ack..guest_ack+1 edu_status=missed>0"
)

case $VT_KERNEL in
6.1) tbl=expect_6_1 ;;
6.12) tbl=expect_6_12 ;;
7.2) tbl=expect_7_2 ;;
esac
declare -n expect=$tbl

# variant | run.sh arguments | expected gic | dmesg line proving the KVM mode
all_variants=(
	"vhe|--gic 3 --kvm-mode vhe|3|VHE mode initialized successfully"
	"nvhe|--gic 3 --kvm-mode nvhe|3|Hyp (nVHE )?mode initialized successfully"
	"gicv2|--gic 2 --kvm-mode vhe|2|VHE mode initialized successfully"
)

select_list() {
	# select_list WANTED ENTRY...: entries whose name is in WANTED (all if empty)
	local want=$1 e; shift
	for e in "$@"; do
		if [ -z "$want" ] || [[ " $want " == *" ${e%%|*} "* ]]; then
			echo "$e"
		fi
	done
}
mapfile -t variants < <(select_list "${VT_VARIANTS:-}" "${all_variants[@]}")
mapfile -t scenarios < <(select_list "${VT_SCENARIOS:-}" "${all_scenarios[@]}")
[ ${#variants[@]} -gt 0 ] || die "VT_VARIANTS selects no variant"
[ ${#scenarios[@]} -gt 0 ] || die "VT_SCENARIOS selects no scenario"

# The script the emulated host runs: every scenario, results into /vt/out.
guest_script() {
	local e name args
	cat <<'EOF'
dmesg | grep -E 'kvm \[[0-9]+\]:' > kvm-mode.txt
edu=$(vt-edu-bind 2> edu.err)
EOF
	for e in "${scenarios[@]}"; do
		name=${e%%|*}
		args=${e#*|}
		if [[ "$args" == *@EDU_NOMASK* ]]; then
			echo '[ -n "${edu_nomask+x}" ] || edu_nomask=$(vt-edu-bind nointxmask 2>> edu.err)'
			args=${args//@EDU_NOMASK/\$edu_nomask}
		fi
		args=${args//@EDU/\$edu}
		cat <<EOF
echo "=== $name"
timeout 120 vmm $args --timeout 60 > $name.gt 2> $name.err
echo \$? > $name.rc
cat $name.gt
EOF
	done
}

n=0
fails=0
total=$(( ${#variants[@]} * (${#scenarios[@]} + 1) ))
echo "1..$total"

report() {
	# report OK|NOTOK DESCRIPTION [DETAIL]
	n=$((n + 1))
	if [ "$1" = OK ]; then
		echo "ok $n - $2"
	else
		fails=$((fails + 1))
		echo "not ok $n - $2 ($3)"
	fi
}

is_num() { [[ "$1" =~ ^(0x[0-9a-fA-F]+|[0-9]+)$ ]]; }

judge() {
	# judge NAME GTLINE: print the mismatches, empty when all expectations hold
	local name=$1 line=$2 kv k v exp lo hi want got bad=
	local -A gt=()
	for kv in ${line#VT_GROUND_TRUTH }; do
		gt[${kv%%=*}]=${kv#*=}
	done
	local spec=${expect[$name]:-}
	[ "$vgic" = 3 ] && [ -n "${expect[$name@gicv3]:-}" ] && spec=${expect[$name@gicv3]}
	[ -n "$spec" ] || { echo "no expectation for $name on $VT_KERNEL"; return; }
	for exp in $spec; do
		k=${exp%%=*}
		v=${exp#*=}
		got=${gt[$k]:-missing}
		if [ "$k" = status ]; then
			[ "$got" = "$v" ] || bad+="status=$got want $v; "
			continue
		fi
		if ! is_num "$got"; then
			bad+="$k=$got want a number; "
			continue
		fi
		# expressions see every key of the line as a variable
		if [[ "$v" == *..* ]]; then
			lo=$(eval_expr "$line" "${v%%..*}")
			hi=$(eval_expr "$line" "${v#*..}")
			(( got >= lo && got <= hi )) || bad+="$k=$got want $lo..$hi; "
		else
			want=$(eval_expr "$line" "$v")
			(( got == want )) || bad+="$k=$got want $want; "
		fi
	done
	echo "${bad%; }"
}

eval_expr() {
	# eval_expr GTLINE EXPR: EXPR in bash arithmetic with the line's keys
	(
		for kv in ${1#VT_GROUND_TRUTH }; do
			k=${kv%%=*}
			v=${kv#*=}
			[[ "$k" =~ ^[a-z_][a-z0-9_]*$ ]] && is_num "$v" && declare "$k=$v"
		done
		echo $(( $2 ))
	)
}

main() {
	boot_times=()
	lock_wait=0
	for var in "${variants[@]}"; do
		IFS='|' read -r vname vargs vgic vmode <<< "$var"
		vout=$outdir/$vname
		t0=$(date +%s)
		if [ "${VT_JUDGE_ONLY:-0}" = 1 ]; then
			rc=judge-only
		else
			rm -rf "$vout"
			mkdir -p "$vout"
			guest_script > "$vout/scenarios.sh"
			echo "# variant $vname: run.sh $vargs --edu"
			# shellcheck disable=SC2086
			bash scripts/testhost/run.sh --out "$vout" --script "$vout/scenarios.sh" \
				$vargs --edu --smp 2 --timeout 600 > "$vout/run.log" 2>&1
			rc=$?
		fi
		t1=$(date +%s)
		up=$(grep -a -o 'VT_INIT_UP uptime=[0-9.]*' "$vout/serial.log" 2>/dev/null | head -n 1)
		up=${up#VT_INIT_UP uptime=}
		qwall=$(sed -n 's/.*poweroff \([0-9]*\)\.[0-9]*s wall.*/\1/p' "$vout/run.log")
		lwait=$(sed -n 's/.*(lock wait \([0-9]*\)s).*/\1/p' "$vout/run.log")
		[ "$rc" = judge-only ] || lock_wait=$((lock_wait + ${lwait:-0}))
		boot_times+=("$vname: init after ${up:-?}s, qemu ${qwall:-?}s")
		echo "# variant $vname: run.sh rc=$rc, $((t1 - t0))s wall (qemu ${qwall:-?}s, lock wait ${lwait:-?}s), /init reached after ${up:-?}s"
		if grep -qE "$vmode" "$vout/kvm-mode.txt" 2>/dev/null; then
			report OK "$vname: host boots, KVM says '$vmode'"
		else
			report NOTOK "$vname: host boots, KVM says '$vmode'" "run.sh rc=$rc"
			sed 's/^/#   /' "$vout/run.log" | tail -n 45
		fi
		for e in "${scenarios[@]}"; do
			name=${e%%|*}
			desc="$vname $name"
			line=$(grep -a '^VT_GROUND_TRUTH ' "$vout/$name.gt" 2>/dev/null | tail -n 1)
			vrc=$(cat "$vout/$name.rc" 2>/dev/null || echo none)
			if [ -z "$line" ]; then
				report NOTOK "$desc" "no VT_GROUND_TRUTH line, vmm rc=$vrc"
			else
				bad=$(judge "$name" "$line")
				[ "$line" = "${line/ gic=$vgic /}" ] && bad="gic is not $vgic${bad:+; $bad}"
				if [ -z "$bad" ] && [ "$vrc" = 0 ]; then
					report OK "$desc"
					echo "#   $line"
					continue
				fi
				[ "$vrc" = 0 ] || bad="vmm rc=$vrc${bad:+; $bad}"
				report NOTOK "$desc" "$bad"
				echo "#   $line"
			fi
			for f in "$vout/$name.err" "$vout/edu.err"; do
				[ -s "$f" ] && sed "s|^|#   ${f##*/}: |" "$f" | tail -n 10
			done
			part=$(tr -d '\r' < "$vout/serial.log" 2>/dev/null |
				sed -n "/^=== $name\$/,/^=== /p" | head -n 25)
			if [ -n "$part" ]; then
				echo "#   serial log, this scenario's part ($vout/serial.log):"
				echo "$part" | sed 's/^/#   | /'
			else
				echo "#   serial log tail ($vout/serial.log):"
				tail -n 15 "$vout/serial.log" 2>/dev/null | sed 's/^/#   | /'
			fi
		done
	done
	echo "# boot: ${boot_times[*]}"
	echo "# whole suite: $(( $(date +%s) - t_start ))s wall, of which ${lock_wait}s waiting for /tmp/vt-qemu.lock; $fails of $total failed"
	[ $fails -eq 0 ]
}

# main is one function so that bash has parsed all of it before it runs:
# editing this file during a run cannot change the running test.
main "$@"
exit $?
