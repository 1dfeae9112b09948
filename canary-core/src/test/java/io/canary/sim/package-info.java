/**
 * Deterministic simulation testing of Canary's protocol under faults, FoundationDB style.
 *
 * <p><b>What runs.</b> A whole cluster (3 to 5 nodes, {@code node-a} first in the election order) in one thread,
 * on virtual time ({@link io.canary.time.ManualScheduler}), with one seeded random source, a
 * simulated network ({@link io.canary.transport.local.LocalNetwork}) and simulated disks
 * ({@link io.canary.log.MemoryStateLog}). The nodes run the real code, in one of two modes:
 * <ul>
 *   <li>{@code PROTOCOL}: the sans-I/O state machines ({@code ProtocolNode} with its
 *       {@code Participant}, {@code Coordinator}, {@code Membership}, {@code Forwarder}) and the
 *       {@code RolloutController}, under the simulator's own effect executor ({@link io.canary.sim.SimNode},
 *       {@link io.canary.sim.RolloutDriver}), which can crash a node before any single effect;</li>
 *   <li>{@code RUNTIME}: the node's real runtime ({@code NodeRuntime}, {@code HealthExchange},
 *       {@code RolloutExtension}), reached only through its SPIs and one test-only hook
 *       ({@code NodeRuntime#onEveryEffect}) ({@link io.canary.sim.RuntimeMember}).</li>
 * </ul>
 *
 * <p><b>Faults</b> (drawn per seed, {@link io.canary.sim.FaultPlan}): per-message loss, duplication,
 * delay and reordering; partitions that split and heal; one-way link cuts; crashes before any
 * effect (so between an fsync and the send that follows it too), torn writes (a crash in the middle
 * of a durable append), kills, restarts from the log (with checkpoints); per-node clock jumps
 * forward and back (wall clock only: the protocol measures on the monotonic clock); in runtime mode,
 * disks that fail every write for a while; and ({@link io.canary.sim.ExtraFaults}) nodes lost for good,
 * a node deaf for good from the start, partitions and one-way cuts of a minute or more, corrupt frames, a disk failing for long in both
 * modes, wall-clock steps of minutes to hours, process pauses longer than the lease (request threads
 * run first on resume; see ARCHITECTURE.md, "The simulator" for which are in CI); and disk loss (in CI;
 * {@code -Dcanary.sim.diskLoss=off} leaves it out), one restart per run on an empty data dir or a
 * restored backup (less the losses this protocol by design does not survive, {@link io.canary.sim.DiskLossBudget}). Crashes and partitions take whichever
 * node is coordinator at the time, so elections, fencing, recovery rounds and re-driven
 * transactions are exercised in most runs. Meanwhile operators
 * ({@link io.canary.sim.Workload}) change weights from random nodes, start rollouts of healthy and
 * degrading canaries (judged on simulated traffic routed and recorded by every node,
 * {@link io.canary.sim.Traffic}), and pause, resume, promote and abort them. Then every fault stops
 * and the cluster must settle.
 *
 * <p><b>Invariants</b> ({@link io.canary.sim.Invariant}), checked after every step (every delivered
 * message, fired timer, command, crash and restart) and on every send, append and apply: agreement
 * (one state per version across terms), validity, durability, CONFIRMED (a change told committed is
 * never undone, one told failed never commits), atomicity (no commit after a majority logged the
 * abort), routing safety, the safety asymmetry, durable before visible, LEASE (no node serves a
 * canary share more than the lease bound after a newer state committed, and, at every request batch,
 * none serves one without a lease its protocol grants at that instant), NO_VETO, an operator's command
 * applied at most once (even across coordinators), ROLLBACK_BOUND (a rollback asked when the faults
 * stop reaches every node within 15 s), liveness within a bound once faults stop, and no exception
 * out of protocol code.
 *
 * <p><b>Usage.</b> {@code SimulationTest} runs 10,000 protocol seeds and 1,000 runtime seeds in CI.
 * <pre>
 * mvn -B -o verify -pl canary-core -Dtest=SimulationTest -Dcanary.sim.seeds=100000      # more seeds
 * mvn -B -o verify -pl canary-core -Dtest=SimulationTest -Dcanary.sim.seed=42           # replay one
 *     [-Dcanary.sim.mode=runtime] [-Dcanary.sim.trace=all] [-Dcanary.sim.bugs=APPLY_AT_PREPARE]
 * </pre>
 * A failure prints the seed, the violated invariant, the faults of the run, the command that
 * replays it and the event trace leading to it. {@code PlantedBugsTest} proves the checks have teeth:
 * each deliberate bug ({@link io.canary.sim.Bug}) is caught within the CI seed budget.
 *
 * <p>The simulator lives in the test sources: it is a verification tool for Canary's developers,
 * and keeping it out of the main jar keeps {@code canary-core} lean.
 */
package io.canary.sim;
