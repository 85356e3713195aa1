/**
 * Messages of one part of the app, kept apart so that parts can be worked on side by side; ko.ts
 * and en.ts spread them in. Both objects must have the same keys (the `satisfies` below checks it).
 *
 * This part: organizations (조직) for the service's admins — the organizations section of the admin
 * stats page, the list of every organization (/admin/organizations/) and one organization's page
 * (its tokens, its members' use of them and its plan). The organizations' own pages and the words
 * they share with these (구성원, 조직 이름, 사용량 / 한도) are in organizations.ts.
 */
export const adminOrganizationsKo = {
  // navigation and titles
  navAdminOrganizations: '조직 관리',
  adminOrgsTitle: '조직 관리',
  adminOrgsIntro: '조직마다 구성원이 함께 쓰는 토큰이 있습니다. 이번 달 토큰을 많이 쓴 조직부터 보여 줍니다.',
  adminOrgsBack: '관리자 대시보드',
  // the list
  adminOrgsSearch: '조직 이름으로 검색',
  adminOrgsSearchClear: '검색 지우기',
  adminOrgsShowing: '전체 {total}개 중 {from}~{to}번째',
  adminOrgsShowingMatched: '‘{query}’ 검색 결과 {total}개 중 {from}~{to}번째',
  adminOrgsNone: '아직 조직이 없습니다.',
  adminOrgsNoMatch: '‘{query}’ 검색 결과가 없습니다. 조직 이름의 일부로 검색해 주세요.',
  adminOrgsPages: '페이지 이동',
  adminOrgsPrevious: '이전',
  adminOrgsNext: '다음',
  adminOrgsPageOf: '{pages}페이지 중 {page}페이지',
  // the columns
  adminOrgUsed: '이번 달 사용',
  adminOrgUsedOf: '{used} / {capacity}토큰',
  adminOrgCapacityUnknown: '{used}토큰',
  // the stats page
  adminOrgStatsTitle: '조직',
  adminOrgStatsTotal: '전체 조직',
  adminOrgStatsActive: '토큰을 쓴 조직',
  adminOrgStatsUsed: '조직이 쓴 토큰',
  adminOrgPlansTitle: '요금제별 조직',
  adminOrgPlansCount: '조직 수',
  adminOrgPlansActive: '토큰을 쓴 조직',
  adminOrgPlansNone: '이번 달에 집계된 조직이 없습니다.',
  adminOrgTopTitle: '토큰을 가장 많이 쓴 조직',
  adminOrgTopNone: '이번 달 토큰을 쓴 조직이 없습니다.',
  adminOrgsAll: '모든 조직 보기',
  // one organization
  adminOrgDetailTitle: '조직 상세: {name}',
  adminOrgSummary: '구성원 {members}명 · 만든 날 {date}',
  adminOrgMembersNote: '구성원마다 이번 달 조직의 토큰을 얼마나 썼는지, 월 한도와 함께 보여 줍니다. 대화 내용은 보이지 않습니다.',
  adminOrgMembersNone: '구성원이 없습니다.',
  adminOrgMemberPercent: '한도 대비',
  adminOrgMemberNoLimit: '한도 없음',
  adminOrgMemberUsageOf: '{email}의 한도 대비 사용량',
  adminOrgPlanTitle: '조직의 요금제',
  adminOrgPlanNote: '요금제는 조직의 토큰에 적용됩니다. 구성원 각자의 계정 요금제는 바뀌지 않습니다.',
  adminOrgNotFound: '조직을 찾을 수 없습니다. 삭제되었거나 주소가 잘못되었습니다.',
};

export const adminOrganizationsEn = {
  navAdminOrganizations: 'Organizations',
  adminOrgsTitle: 'Organizations',
  adminOrgsIntro: 'Each organization has tokens its members share. The ones that used the most tokens this month come first.',
  adminOrgsBack: 'Admin dashboard',
  adminOrgsSearch: 'Search by organization name',
  adminOrgsSearchClear: 'Clear the search',
  adminOrgsShowing: 'Showing {from}–{to} of {total}',
  adminOrgsShowingMatched: 'Showing {from}–{to} of {total} found for “{query}”',
  adminOrgsNone: 'No organizations yet.',
  adminOrgsNoMatch: 'Nothing found for “{query}”. Search by part of an organization’s name.',
  adminOrgsPages: 'Pages',
  adminOrgsPrevious: 'Previous',
  adminOrgsNext: 'Next',
  adminOrgsPageOf: 'Page {page} of {pages}',
  adminOrgUsed: 'Used this month',
  adminOrgUsedOf: '{used} / {capacity} tokens',
  adminOrgCapacityUnknown: '{used} tokens',
  adminOrgStatsTitle: 'Organizations',
  adminOrgStatsTotal: 'Organizations',
  adminOrgStatsActive: 'Active this month',
  adminOrgStatsUsed: 'Tokens used by organizations',
  adminOrgPlansTitle: 'Organizations by plan',
  adminOrgPlansCount: 'Organizations',
  adminOrgPlansActive: 'Active',
  adminOrgPlansNone: 'No organizations counted this month.',
  adminOrgTopTitle: 'Organizations that used the most tokens',
  adminOrgTopNone: 'No organization used tokens this month.',
  adminOrgsAll: 'All organizations',
  adminOrgDetailTitle: 'Organization: {name}',
  adminOrgSummary: '{members} members · created {date}',
  adminOrgMembersNote: 'How many of the organization’s tokens each member used this month, with their monthly limit. Their conversations are never shown.',
  adminOrgMembersNone: 'No members.',
  adminOrgMemberPercent: 'Of limit',
  adminOrgMemberNoLimit: 'No limit',
  adminOrgMemberUsageOf: '{email}’s use of their limit',
  adminOrgPlanTitle: 'The organization’s plan',
  adminOrgPlanNote: 'The plan applies to the organization’s tokens. Its members’ own accounts keep their plans.',
  adminOrgNotFound: 'Organization not found: it was deleted, or the address is wrong.',
} satisfies Record<keyof typeof adminOrganizationsKo, string>;
