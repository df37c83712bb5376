import { BadRequestException } from '@nestjs/common';
import { ArgumentMetadata } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { InputValidationPipe } from './input-validation.pipe';
import { AcceptsLegacyNames, renameLegacyFields } from './legacy-names';

@AcceptsLegacyNames({ maxTokens: 'max_tokens' })
class ExampleDto {
  @ApiProperty() @IsString() max_tokens!: string;
}

const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({
  type: 'body',
  metatype,
});

describe('legacy request names', () => {
  it('renames an old name to the new one, leaving the rest as sent', () => {
    expect(renameLegacyFields({ maxTokens: 5, model: 'm' }, { maxTokens: 'max_tokens' })).toEqual({
      max_tokens: 5,
      model: 'm',
    });
  });

  it('refuses both names of one field', () => {
    expect(() =>
      renameLegacyFields({ maxTokens: 5, max_tokens: 6 }, { maxTokens: 'max_tokens' }),
    ).toThrow('Send max_tokens only: maxTokens is its old name');
  });

  it('leaves anything but a plain object to the validator', () => {
    expect(renameLegacyFields(['maxTokens'], { maxTokens: 'max_tokens' })).toEqual(['maxTokens']);
    expect(renameLegacyFields(null, { maxTokens: 'max_tokens' })).toBeNull();
  });

  it('the validation pipe accepts the old name of a DTO that declares it, and only there', async () => {
    const pipe = new InputValidationPipe();
    await expect(pipe.transform({ maxTokens: 'x' }, body(ExampleDto))).resolves.toEqual(
      Object.assign(new ExampleDto(), { max_tokens: 'x' }),
    );
    class PlainDto {
      @ApiProperty() @IsString() max_tokens!: string;
    }
    await expect(pipe.transform({ maxTokens: 'x' }, body(PlainDto))).rejects.toThrow(
      BadRequestException,
    );
  });
});
