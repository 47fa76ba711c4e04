"""Settings, read from `LEDGER_*` environment variables and a `.env` file.

Only the CLI and the API build a `Settings`; library code takes plain values.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from ledger.errors import ConfigError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="where the node state, keys, mirror and plans live")
    rpc_url: str | None = Field(None, description="JSON-RPC URL; unset means the managed local node")
    node_port: int = Field(8545, description="port of the managed local node")
    node_block_time: float | None = Field(None, description="seconds per block; unset mines on demand")
    contract_address: str | None = Field(None, description="ledger address; unset reads the deployments file")
    keystore: Path | None = Field(None, description="encrypted keystore; default DATA_DIR/keys/operator.json")
    keystore_password: SecretStr | None = None
    keystore_password_file: Path | None = None
    private_key: SecretStr | None = Field(
        None, description="signing key from the environment, instead of a keystore"
    )
    player_key_secret: SecretStr | None = Field(None, description="secret for deriving player keys")
    tx_timeout: float = Field(120.0, gt=0, description="seconds to wait for a receipt")
    batch_rows: int = Field(500, ge=1, description="rows per batch transaction in issue-batch")
    max_in_flight: int = Field(32, ge=1, description="batch transactions sent before waiting for receipts")
    lock_wait: float = Field(
        300.0,
        ge=0,
        description="seconds a write waits for another writer of the same ledger (0: fail at once)",
    )
    database_url: str | None = Field(None, description="SQLAlchemy URL; default a SQLite file in DATA_DIR")
    confirmations: int = Field(12, description="depth treated as final when the node has no finalized tag")
    api_token: SecretStr | None = Field(None, description="bearer token required by the audit routes")
    demo_players: int = Field(3000, description="players in the demo's sample stream")
    api_port: int = Field(8000, description="port the demo serves the API and the page on")
    public_rpc_url: str | None = Field(
        None, description="node URL the player page verifies against by default"
    )
    display_unit: str = Field(
        "points", description="what amounts count: an ISO 4217 currency code (EUR) or a unit name (points)"
    )
    display_decimals: int = Field(
        0, ge=0, le=18, description="ledger units per displayed unit, as a power of ten (2: cents)"
    )
    cors_origins: str = Field(
        "", description="origins whose pages may read the player routes, comma-separated; empty: none"
    )

    @property
    def effective_rpc_url(self) -> str:
        return self.rpc_url or f"http://127.0.0.1:{self.node_port}"

    @property
    def effective_public_rpc_url(self) -> str:
        return self.public_rpc_url or self.effective_rpc_url

    @property
    def node_dir(self) -> Path:
        return self.data_dir / "node"

    @property
    def keystore_path(self) -> Path:
        return self.keystore or self.data_dir / "keys" / "operator.json"

    @property
    def deployments_dir(self) -> Path:
        return self.data_dir / "deployments"

    @property
    def terms_dir(self) -> Path:
        return self.data_dir / "terms"

    @property
    def plans_dir(self) -> Path:
        return self.data_dir / "batches"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'ledger.db').resolve()}"


def load_settings() -> Settings:
    """The settings of this environment; a value that does not parse is one `ConfigError` line."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"LEDGER_{'_'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors(include_url=False)
        )
        raise ConfigError(f"invalid setting: {problems}") from None
