-- Ended sessions not yet on the Redis revocation list (transactional outbox, see src/revocation/).
-- CreateTable
CREATE TABLE "revocation_outbox" (
    "session_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "revocation_outbox_pkey" PRIMARY KEY ("session_id")
);

-- CreateIndex
CREATE INDEX "revocation_outbox_created_at_idx" ON "revocation_outbox"("created_at");
