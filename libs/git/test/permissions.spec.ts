import { effectivePermission, permits } from '@plue/git';

describe('effectivePermission', () => {
  const privateRepo = { ownerId: 1, isPublic: false, collaboratorPermission: null };
  const publicRepo = { ...privateRepo, isPublic: true };

  it('makes the owner admin, even with a collaborator row saying otherwise', () => {
    expect(effectivePermission(privateRepo, 1)).toBe('admin');
    expect(effectivePermission({ ...privateRepo, collaboratorPermission: 'read' }, 1)).toBe('admin');
  });

  it.each(['read', 'write', 'admin'] as const)('gives a collaborator the granted %s', (permission) => {
    expect(effectivePermission({ ...privateRepo, collaboratorPermission: permission }, 2)).toBe(permission);
    expect(effectivePermission({ ...publicRepo, collaboratorPermission: permission }, 2)).toBe(permission);
  });

  it('lets anyone, anonymous included, read a public repository and nothing more', () => {
    expect(effectivePermission(publicRepo, 2)).toBe('read');
    expect(effectivePermission(publicRepo, null)).toBe('read');
  });

  it('gives strangers and anonymous users no access to a private repository', () => {
    expect(effectivePermission(privateRepo, 2)).toBeNull();
    expect(effectivePermission(privateRepo, null)).toBeNull();
  });
});

describe('permits', () => {
  it('orders admin above write above read', () => {
    expect(permits('admin', 'write')).toBe(true);
    expect(permits('write', 'write')).toBe(true);
    expect(permits('write', 'admin')).toBe(false);
    expect(permits('read', 'write')).toBe(false);
    expect(permits(null, 'read')).toBe(false);
  });
});
