import { IdColumn } from '@plue/db';
import { Check, Column, Entity, Index, Unique } from 'typeorm';

@Entity({
  name: 'siwe_nonces',
  comment: 'Sign-In With Ethereum nonces (stored hashed), single use. Owner: auth-service.',
})
@Unique('siwe_nonces_nonce_key', ['nonce'])
@Check('siwe_nonces_nonce_check', `nonce ~ '^[0-9a-f]{64}$'`)
@Check(
  'siwe_nonces_wallet_address_check',
  `wallet_address ~ '^0x[0-9a-fA-F]{40}$' AND wallet_address = lower(wallet_address)`,
)
@Check('siwe_nonces_expires_at_check', `expires_at > created_at`)
export class SiweNonce {
  @IdColumn()
  id!: number;

  /** SHA-256 of the nonce the client signs, never the nonce itself. */
  @Column({
    name: 'nonce',
    type: 'text',
    // A hash of a secret: left out of every read (find, hydrate) unless selected explicitly.
    select: false,
    comment: 'Lowercase hex SHA-256 of the nonce (secret: hidden from plue_readonly).',
  })
  nonce?: string;

  @Column({ name: 'wallet_address', type: 'text', nullable: true })
  walletAddress!: string | null;

  @Index('siwe_nonces_expires_at_idx')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
