// Concurrency tests saturate both cores and some adjust process-wide lock internals
// (the slot limit); running them one at a time keeps each one meaningful.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
