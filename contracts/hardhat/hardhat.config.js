// Hardhat 3 configuration for the rewards ledger's optional local node.
//
// Only the `node` network is used: `hardhat node` serves it. Hardhat does not build the contract
// (it cannot fetch compilers offline); the ledger deploys its own committed artifact.
// The managed node (ledger/chain/hardhat.py) tunes it with these environment variables:
//   LEDGER_HARDHAT_GAS_LIMIT      block gas limit (default 60,000,000, Hardhat's own default)
//   LEDGER_HARDHAT_BLOCK_TIME_MS  mine a block every N ms instead of one block per transaction
//   LEDGER_HARDHAT_HARDFORK       EVM hardfork (default Hardhat's latest stable one, osaka)
//   LEDGER_HARDHAT_WORK_DIR       where Hardhat may write its cache and artifacts folders

import path from "node:path";

const env = process.env;
const blockTimeMs = Number(env.LEDGER_HARDHAT_BLOCK_TIME_MS ?? 0);
const workDir = env.LEDGER_HARDHAT_WORK_DIR;

export default {
  ...(workDir
    ? { paths: { cache: path.join(workDir, "cache"), artifacts: path.join(workDir, "artifacts") } }
    : {}),
  networks: {
    node: {
      type: "edr-simulated",
      chainType: "l1",
      chainId: 31337,
      blockGasLimit: Number(env.LEDGER_HARDHAT_GAS_LIMIT ?? 60_000_000),
      ...(env.LEDGER_HARDHAT_HARDFORK ? { hardfork: env.LEDGER_HARDHAT_HARDFORK } : {}),
      mining:
        blockTimeMs > 0 ? { auto: false, interval: blockTimeMs } : { auto: true, interval: 0 },
      // Hardhat refuses intervals under a second unless blocks may share a timestamp.
      allowBlocksWithSameTimestamp: blockTimeMs > 0 && blockTimeMs < 1000,
    },
  },
};
