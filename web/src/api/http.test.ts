import { describe, expect, it } from 'vitest';
import { fieldErrors } from './http';

describe('fieldErrors', () => {
  it('puts each validation message under the field it names, the rest above the form', () => {
    const split = fieldErrors(
      'email must be an email address; name must be longer than or equal to 1 characters; something else',
      ['email', 'name', 'password'],
    );
    expect(split.fields).toEqual({
      email: 'email must be an email address',
      name: 'name must be longer than or equal to 1 characters',
    });
    expect(split.form).toBe('something else');
  });

  it('reads the weak-password rule as the password field, and snake_case names with spaces', () => {
    expect(
      fieldErrors('Password is too weak: it must contain a letter', ['password']).fields,
    ).toEqual({
      password: 'Password is too weak: it must contain a letter',
    });
    expect(fieldErrors('current password is wrong', ['current_password']).fields).toEqual({
      current_password: 'current password is wrong',
    });
  });

  it('prefers the longest field name (new_password over password)', () => {
    expect(
      fieldErrors('new_password must be a string', ['password', 'new_password']).fields,
    ).toEqual({ new_password: 'new_password must be a string' });
  });

  it('leaves a message naming no field to the form', () => {
    expect(fieldErrors('Invalid email or password', ['password'])).toEqual({
      fields: {},
      form: 'Invalid email or password',
    });
  });
});
