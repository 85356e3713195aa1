import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class DeleteAccountDto {
  @ApiProperty({ description: 'The account’s password: deletion cannot be undone' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  password!: string;
}

export class DeletedView {
  @ApiProperty({ example: true }) deleted!: true;
}
